// Prices arrive in minor units (cents) with an ISO 4217 currency. Intl knows how many minor digits each
// currency has (EUR 2, JPY 0, KWD 3), so the amount is never guessed.

const formats = new Map();

function format(currency) {
  let numberFormat = formats.get(currency);
  if (!numberFormat) {
    numberFormat = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formats.set(currency, numberFormat);
  }
  return numberFormat;
}

export function formatMoney(minor, currency) {
  const numberFormat = format(currency);
  const digits = numberFormat.resolvedOptions().maximumFractionDigits;
  return numberFormat.format(minor / 10 ** digits);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}
