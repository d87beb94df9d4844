module github.com/chatops/gateway

go 1.26.8
