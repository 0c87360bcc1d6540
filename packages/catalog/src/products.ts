/** A dish on the menu. Prices are integer cents: money never goes through floating point. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  /** Path of the dish's picture, served by the menu app (apps/menu/public/images). */
  readonly image: string;
}

export const products = [
  {
    id: 'burrata',
    name: 'Burrata',
    description: 'Fig, peach, cherry tomato',
    priceCents: 1200,
    image: '/images/burrata.svg',
  },
  {
    id: 'poke',
    name: 'Poke',
    description: 'Salmon, cucumber, seaweed, edamame',
    priceCents: 1450,
    image: '/images/poke.svg',
  },
  {
    id: 'margherita',
    name: 'Margherita',
    description: 'San Marzano tomato, fior di latte, basil',
    priceCents: 1300,
    image: '/images/margherita.svg',
  },
  {
    id: 'ramen',
    name: 'Shoyu ramen',
    description: 'Chicken broth, chashu, soft egg, nori',
    priceCents: 1600,
    image: '/images/ramen.svg',
  },
  {
    id: 'tacos',
    name: 'Fish tacos',
    description: 'Crispy cod, lime slaw, chipotle crema',
    priceCents: 1100,
    image: '/images/tacos.svg',
  },
  {
    id: 'tiramisu',
    name: 'Tiramisu',
    description: 'Mascarpone, espresso, cocoa',
    priceCents: 700,
    image: '/images/tiramisu.svg',
  },
] as const satisfies readonly Product[];

export type ProductId = (typeof products)[number]['id'];

const byId: ReadonlyMap<string, Product> = new Map(products.map((product) => [product.id, product]));

export function findProduct(id: string): Product | undefined {
  return byId.get(id);
}
