package core

// IncomingTx is the part of Tx that keeps incoming hooks and the GitHub
// repository mappings.
type IncomingTx interface {
}
