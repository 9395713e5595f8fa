// Colour only on a terminal that wants it: tty.WriteStream#hasColors() honours NO_COLOR,
// NODE_DISABLE_COLORS and FORCE_COLOR; pipes and files never get escapes.
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY && typeof stream.hasColors === "function" && stream.hasColors());
}

export function terminalWidth(stream: NodeJS.WriteStream): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}
