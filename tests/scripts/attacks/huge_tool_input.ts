// expect-kind: limit
// An input larger than one MCP message may carry is refused in the script, never sent.
await demo.echo({ text: "x".repeat(17 * 1024 * 1024) });
