export {
  createOrderActivities,
  type OrderActivities,
  type OrderActivityDeps,
} from './order-activities';
