/** A refusal the API answers with its status and message as is (unknown customer, duplicate name…). */
export class ShopError extends Error {
  override readonly name = 'ShopError';
  constructor(
    readonly statusCode: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}
