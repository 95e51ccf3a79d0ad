// Share plugin (PreFilter) of budget-blind baselines: the share the budget needs
// where it can be met, else one full core (best effort, the deadline may be missed).
import type { SharePlugin } from "../framework.js";
import { bestEffortMilli, perDelay } from "../share.js";

export const bestEffortShare: SharePlugin = {
  name: "best-effort-share",
  needAt: (model, request) => perDelay((d) => bestEffortMilli(model, request.delayBudgetMs, d)),
};
