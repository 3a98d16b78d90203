// The functions examples/orders/orders.yaml names (./order.js#price, ...). Plain JavaScript, so
// that `npx consecution run` loads it as it is; the types are in JSDoc.

/** @typedef {{ id: number; region: string; quantity: number; unitPrice: number }} Order */
/** @typedef {Order & { total: number }} Priced */

/**
 * Adds the order's total.
 * @param {Order} order
 * @returns {Priced}
 */
export function price(order) {
  return { ...order, total: Math.round(order.quantity * order.unitPrice * 100) / 100 };
}

/**
 * Whether an order can be shipped: a positive quantity.
 * @param {Priced} order
 */
export function isValid(order) {
  return order.quantity > 0;
}

/**
 * The child an order goes to: `eu`, `us` or `other`.
 * @param {Priced} order
 */
export function region(order) {
  return order.region === 'eu' || order.region === 'us' ? order.region : 'other';
}
