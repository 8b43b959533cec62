export {
  createOrderActivities,
  type OrderActivities,
  type OrderActivityDeps,
} from './order-activities';
export {
  createSubscriptionChangeActivities,
  type SubscriptionChangeActivities,
  type SubscriptionChangeActivityDeps,
} from './subscription-change-activities';
export {
  createRenewalActivities,
  type RenewalActivities,
  type RenewalActivityDeps,
} from './renewal-activities';
