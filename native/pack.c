/*
 * Packed weights kept between calls. A loop packs U (and in int8 also W) into a layout for its
 * products every time it runs unless the caller hands it a slot: the memory of a JavaScript
 * External that lives as long as the caller's backend object, with a tag saying which packing it
 * holds (the loop, the instruction set, the sizes: pack_tag). The caller says `fresh` when the
 * weights may have changed since the last call; then, or when the tag differs, the loop packs
 * again, else it uses the slot as it is. Memory is 64-byte aligned.
 */
#include <stdlib.h>
#include <string.h>
#include "gated.h"

uint64_t pack_tag(const long *v, int n) {
  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < n; i++) {
    uint64_t x = (uint64_t)v[i];
    for (int b = 0; b < 8; b++) { h ^= (x >> (8 * b)) & 0xff; h *= 1099511628211ULL; }
  }
  return h | 1;  /* 0 marks an empty slot */
}

void *slot_take(PackSlot *slot, int fresh, size_t bytes, uint64_t tag, int *fill) {
  *fill = 1;
  if (!slot) return malloc(bytes + 64);
  if (slot->mem && slot->bytes >= bytes) {
    if (!fresh && slot->tag == tag) { *fill = 0; return slot->mem; }
  } else {
    free(slot->mem);
    slot->mem = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    slot->bytes = slot->mem ? bytes : 0;
  }
  slot->tag = 0;
  if (!slot->mem) return NULL;
  slot->tag = tag;  /* the caller fills it now */
  return slot->mem;
}

void slot_give(PackSlot *slot, void *mem, int ok) {
  if (!slot) { free(mem); return; }
  if (!ok) slot->tag = 0;
}
