#!/bin/sh
# Rebuild the committed benchmark images (needs gcc-powerpc64le-linux-gnu). Usage: ./build.sh [ITERS]
set -e
cd "$(dirname "$0")"
ITERS=${1:-25000000}
CC=powerpc64le-linux-gnu-gcc
for body in ${BODIES:-1 2 3 4}; do
  $CC -Wa,-mregnames -DITERS=$ITERS -DBODY=$body -c loop.S -o /tmp/hvsim-loop-b$body.o
  powerpc64le-linux-gnu-ld -Ttext=0 -Tdata=0x8000 -e 0x100 --no-warn-rwx-segments -o loop-b$body.elf /tmp/hvsim-loop-b$body.o
  powerpc64le-linux-gnu-objcopy -O binary loop-b$body.elf loop-b$body.bin
done
