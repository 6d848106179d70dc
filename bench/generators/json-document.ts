import type { Random } from '../lib/random.js'
import { WORDS } from './common.js'

/**
 * A realistic JSON document of about `targetChars` characters, the kind a model writes as tool
 * arguments: an object holding an array of records with strings (multi-byte, escapes), integers,
 * floats, exponents, booleans, nulls, nested objects and arrays.
 * @param random - the seeded source
 * @param targetChars - approximate length of `JSON.stringify(document)`
 */
export function generateJSONDocument(random: Random, targetChars: number): unknown {
  const items: unknown[] = []
  const document = { title: sentence(random, 4, 8), version: 3, draft: false, owner: null, items }
  let size = JSON.stringify(document).length
  while (size < targetChars) {
    const item = record(random, items.length)
    items.push(item)
    size += JSON.stringify(item).length + 1
  }
  return document
}

function record(random: Random, id: number): unknown {
  const tags: string[] = []
  for (let i = random.int(0, 4); i > 0; i--) tags.push(random.pick(WORDS))
  return {
    id,
    sku: `SKU-${random.int(10000, 99999)}`,
    name: sentence(random, 1, 4),
    description: sentence(random, 5, 30) + (random.chance(0.2) ? ' "quoted", back\\slash\n next line' : ''),
    price: Math.round(random.next() * 1e6) / 100,
    // Below 1e-6, so JSON.stringify writes an exponent.
    weight_kg: Number((random.next() * 1e-8).toExponential(3)),
    quantity: random.int(-5, 5000),
    in_stock: random.chance(0.7),
    rating: random.chance(0.3) ? null : Math.round(random.next() * 50) / 10,
    tags,
    dimensions: { w: random.int(1, 300), h: random.int(1, 300), d: random.int(1, 300), unit: 'cm' },
    variants: random.chance(0.3) ? [[random.int(0, 9), random.int(0, 9)], [], [true, false, null]] : [],
  }
}

function sentence(random: Random, min: number, max: number): string {
  const n = random.int(min, max)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(random.pick(WORDS))
  return out.join(' ')
}
