// expect-kind: runtime
// The bootstrap is loaded as a module; no module can be imported, by its name or any other.
const boot: any = await import("codemode:bootstrap");
export default typeof boot.default;
