export {
  createOrderActivities,
  type OrderActivities,
  type OrderActivityDeps,
} from './order-activities';
export {
  createRenewalActivities,
  type RenewalActivities,
  type RenewalActivityDeps,
} from './renewal-activities';
