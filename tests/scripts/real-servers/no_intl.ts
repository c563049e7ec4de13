// expect: 5 TS2708 'Intl'
// hint: 5 the sandbox has no Intl
// The sandbox's lib declares Intl's option types (toLocaleString takes them) but no Intl value.
const price = 1234.5;
console.log(new Intl.NumberFormat("en-US").format(price));
console.log(price.toLocaleString("en-US", { maximumFractionDigits: 1 }));
