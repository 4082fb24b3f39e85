/**
 * Test support, not for production: the in-memory TestHost, sample orchestrations, golden-history
 * recording and the program generator used by property tests and benchmarks.
 */
export { TestHost, type TestHostOptions, type TestInstanceState } from './test-host';
export {
  fanOutFanIn,
  helloSequence,
  helloSequence5,
  sampleRegistry,
  sayHello,
  square,
} from './samples/hello';
export { goldenRegistry, goldenScenarios, type GoldenScenario } from './samples/golden';
export { prng, programRegistry, randomProgram, type ProgramInput, type Step } from './samples/program';
export { formatGoldenHistory, parseGoldenHistory, recordGolden, type GoldenHistory } from './golden-history';
