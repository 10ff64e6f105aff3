/** Every route the service answers, in the order they are matched and documented. */
import type { RouteDeclaration } from './route';
import { adminRoutes } from './routes/admin';
import { catalogRoutes } from './routes/catalog';
import { demandRoutes } from './routes/demand';
import { healthRoutes, oipRoutes } from './routes/oip';
import { opsRoutes } from './routes/ops';
import { scoreRoutes } from './routes/score';

export const routes: readonly RouteDeclaration[] = [
  ...healthRoutes,
  ...scoreRoutes,
  ...demandRoutes,
  ...catalogRoutes,
  ...oipRoutes,
  ...opsRoutes,
  ...adminRoutes,
];
