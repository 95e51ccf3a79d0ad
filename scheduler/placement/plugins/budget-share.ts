// Share plugin (PreFilter) of budget-aware policies: the millicores the request's
// model needs to finish within its budget minus the node's network delay, or
// INFEASIBLE where even one core is too slow.
import type { SharePlugin } from "../framework.js";
import { needMilli, perDelay } from "../share.js";

export const budgetShare: SharePlugin = {
  name: "budget-share",
  needAt: (model, request) => perDelay((d) => needMilli(model, request.delayBudgetMs, d)),
};
