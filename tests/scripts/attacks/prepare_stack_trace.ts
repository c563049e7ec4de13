// expect-kind: runtime
// A stack trace's call sites would hand a script the functions on the stack, the
// bootstrap's own among them: `Error.prepareStackTrace` cannot be set.
let leaked: unknown[] = [];
(Error as any).prepareStackTrace = (_error: unknown, sites: any[]) => {
  leaked = sites.map((site) => site.getFunction());
  return "";
};
await demo.echo({ text: String(new Error().stack) });
export default leaked.length;
