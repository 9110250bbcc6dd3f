import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { fieldOfLocation, problemFieldErrors } from './problemFields';

const problem = (errors: { location?: string; message?: string }[]) =>
  new ApiError(422, 'validation failed', { status: 422, title: 'Unprocessable Entity', errors });

describe('fieldOfLocation', () => {
  it.each([
    ['body.code', 'code'],
    ['body.list_price_fen', 'list_price_fen'],
    ['body.barcodes[1]', 'barcodes'],
    ['body.address.city', 'address'],
    ['body', undefined],
    ['path.id', undefined],
    ['query.limit', undefined],
    [undefined, undefined],
  ])('%s → %s', (location, field) => {
    expect(fieldOfLocation(location)).toBe(field);
  });
});

describe('problemFieldErrors', () => {
  it('groups messages by field, renames and skips the unlocated', () => {
    const err = problem([
      { location: 'body.barcodes[0]', message: 'bad check digit' },
      { location: 'body.barcodes[2]', message: 'duplicate' },
      { location: 'body.price_fen', message: 'too large' },
      { message: 'no field' },
    ]);
    const got = problemFieldErrors(err, { price_fen: 'price' });
    expect(Object.fromEntries(got)).toEqual({ barcodes: ['bad check digit', 'duplicate'], price: ['too large'] });
  });

  it('uses the problem detail when an error has no message, and ignores other errors', () => {
    expect(Object.fromEntries(problemFieldErrors(problem([{ location: 'body.code' }])))).toEqual({ code: ['validation failed'] });
    expect(problemFieldErrors(new Error('boom')).size).toBe(0);
  });
});
