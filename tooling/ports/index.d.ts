type Definitions = typeof import('./ports.json');

export type PortName = keyof Definitions;

/** Each local process's default port, by name (`ports.menu`, `ports.temporal`, …), from ports.json. */
export declare const ports: { readonly [name in PortName]: number };

/** The port named `name`; throws an Error naming the known names when there is none. */
export declare function portOf(name: string): number;
