// One colour per trajectory, shared by the trajectory cards and the PCA plot so they can be matched by eye.
// Hues are spread evenly; lightness alternates so neighbours stay distinguishable when K is large.
export function trajColor(t, k) {
  const hue = Math.round((t * 360) / Math.max(1, k) + 210) % 360;
  return `hsl(${hue} 65% ${t % 2 ? 38 : 48}%)`;
}
