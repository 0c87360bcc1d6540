import { formatCents, products } from '@durable-delivery/catalog';
import { AddToCart } from './add-to-cart';
import { CartSummary } from './cart-summary';

export default function MenuPage() {
  return (
    <div className="two-columns">
      <section aria-labelledby="menu-title">
        <h1 id="menu-title">Menu</h1>
        <ul className="grid">
          {products.map((product, index) => (
            <li key={product.id} className="card dish" data-product={product.id}>
              {/* Plain <img>: the pictures are small SVGs the app ships, so there is nothing to optimize. The first
                  is the page's largest paint on a phone, so it goes first; the others wait until they are near the
                  screen, and so do not share the first one's bandwidth. */}
              <img
                className="dish-image"
                src={product.image}
                alt=""
                width={400}
                height={300}
                {...(index === 0 ? { fetchPriority: 'high' } : { loading: 'lazy' })}
              />
              <h2 className="dish-name">{product.name}</h2>
              <p className="muted">{product.description}</p>
              <div className="row dish-footer">
                <span className="price">{formatCents(product.priceCents)}</span>
                <AddToCart productId={product.id} productName={product.name} />
              </div>
            </li>
          ))}
        </ul>
      </section>
      <CartSummary />
    </div>
  );
}
