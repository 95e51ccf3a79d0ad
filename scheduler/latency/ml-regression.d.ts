// ml-regression ships no type declarations: the two regressions fit.ts uses.
declare module "ml-regression" {
  /** y = B * exp(A * x), fitted by least squares on ln(y). */
  export class ExponentialRegression {
    constructor(x: number[], y: number[]);
    A: number;
    B: number;
    predict(x: number): number;
  }
  /** y = A * x^B, fitted by least squares on ln(x), ln(y). */
  export class PowerRegression {
    constructor(x: number[], y: number[]);
    A: number;
    B: number;
    predict(x: number): number;
  }
}
