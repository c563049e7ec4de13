// expect-kind: runtime
const input: any = { text: "x" };
input.self = input;
await demo.echo(input);
