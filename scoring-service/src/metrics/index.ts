export {
  auc,
  ascendingOrder,
  conversionByDecile,
  liftByDecile,
  topDecileLift,
  topDecileConversion,
  bottom20Conversion,
  deprioritizationEfficiency,
} from './classification';
export { poissonDeviance, poissonDevianceTerms, weightedMape, r2, rmse } from './regression';
export { histogram, categoricalShares, psi, PSI_EPSILON } from './drift';
export { PERIODS, periodKey, periodStart, groupBy, groupByPeriod, type Period, type Group, type PeriodGroup } from './periods';
