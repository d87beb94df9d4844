// A receiver for the gateway's outgoing webhooks, in Node.js
// (npm install standardwebhooks).
import http from "node:http";
import { Webhook } from "standardwebhooks";

// The subscription's secret, exactly as the API showed it: whsec_…
const wh = new Webhook(process.env.WEBHOOK_SECRET);

http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let msg;
    try {
      // Checks webhook-signature over "{webhook-id}.{webhook-timestamp}.{body}"
      // and the timestamp's age; answers the parsed body.
      msg = wh.verify(Buffer.concat(chunks).toString("utf8"), req.headers);
    } catch {
      res.writeHead(401).end("bad signature");
      return;
    }
    if (msg.type === "webhook.ping" && msg.validation_code) {
      // Validate synchronously: echo the code.
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ validation_code: msg.validation_code }));
      return;
    }
    // webhook-id is the event id on every retry and replay: deduplicate on it.
    console.log(req.headers["webhook-id"], msg.type, JSON.stringify(msg.data));
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT || 9000), process.env.HOST);
