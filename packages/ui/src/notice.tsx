import type { ReactNode } from 'react';

/**
 * A message that screen readers announce: errors interrupt (role="alert"), everything else waits its turn
 * (role="status").
 */
export function Notice({
  tone,
  title,
  children,
}: {
  tone: 'error' | 'success' | 'info';
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <strong className="notice-title">{title}</strong> : null}
      {children ? <div>{children}</div> : null}
    </div>
  );
}
