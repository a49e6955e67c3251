import { createHash } from 'node:crypto';

// Azure Table keys must not contain / \ # ? or control characters U+0000–U+001F and U+007F–U+009F, and are at
// most 1 KiB: https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
// ' and % are legal but break some operations on Azure and Azurite (Azure/Azurite#1377, #1418;
// Azure/azure-sdk-for-php#472), so everything outside a small safe alphabet is escaped.
const safeCharacter = /[A-Za-z0-9._:-]/;
const escapeMark = '!';
const hashMark = '~';
// 1 KiB of UTF-16 is 512 characters; escaped keys are pure ASCII, so staying under 512 satisfies any reading.
const maxKeyLength = 512;

/**
 * Maps any string to a legal PartitionKey/RowKey, injectively: bytes outside `[A-Za-z0-9._:-]` become `!XX`
 * (UTF-8, upper-case hex), so `https://adb-1.azuredatabricks.net` reads `https:!2F!2Fadb-1.azuredatabricks.net`
 * and can be decoded by hand. A value whose escaped form exceeds the key limit becomes `~` + its SHA-256
 * (hex); `~` itself is always escaped, so hashed and escaped keys never collide. Entities keep the original
 * value in a property, so nothing needs to decode keys.
 */
export function toTableKey(value: string): string {
  let escaped = '';
  for (const character of value) {
    escaped += safeCharacter.test(character)
      ? character
      : [...Buffer.from(character, 'utf8')]
          .map((byte) => `${escapeMark}${byte.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
  }
  if (escaped.length <= maxKeyLength) return escaped;
  return `${hashMark}${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}
