/** One column isotel writes: its name and SQL type (without constraints). */
export interface ColumnSpec {
  name: string;
  /** SQL type, without constraints. */
  type: string;
}
