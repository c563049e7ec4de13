// expect-kind: runtime
const { proxy, revoke } = Proxy.revocable({ text: "x" }, {});
revoke();
await demo.echo(proxy);
