/**
 * In-place selection (Hoare quickselect, median-of-three pivot; O(n) on average): afterwards a[k] is the k-th smallest
 * of a[left..right], everything in [left, k) is ≤ a[k] and everything in (k, right] is ≥ a[k]. Returns a[k].
 * The one selection routine of the library: medians, percentiles and robust statistics all use it.
 */
export function selectInPlace(a: Float64Array | Float32Array, k: number, left = 0, right: number = a.length - 1): number {
  while (right > left) {
    const mid = (left + right) >>> 1;
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}

function swap(a: Float64Array | Float32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
