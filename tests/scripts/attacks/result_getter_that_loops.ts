// expect-kind: timeout
export default {
  get forever(): number {
    for (;;) {}
  },
};
