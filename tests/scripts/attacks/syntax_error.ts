// expect-kind: type
const x = ;
