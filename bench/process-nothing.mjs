// The function of the process overhead benchmark (bench/process.bench.mjs):
// it returns nothing, so what is measured is the cost of calling it.
export default function nothing() {}
