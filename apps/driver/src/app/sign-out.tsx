/**
 * A plain form, so it works before the page hydrates (and without JavaScript), and the full page load that follows
 * leaves no list cached from the signed-in session.
 */
export function SignOut() {
  return (
    <form method="post" action="/api/session/sign-out">
      <button type="submit" className="button button-secondary button-small">
        Sign out
      </button>
    </form>
  );
}
