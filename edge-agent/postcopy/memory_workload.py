# Post-copy test workload: holds SIZE MiB of random bytes and answers, on a
# Unix socket (CRIU 4.1.1 cannot dump TCP sockets on this kernel), "count"
# with a counter that survives migration and "checksum" with "ok" when the
# buffer still hashes as it did at start. One line in, one line out.
import hashlib, os, random, socket, sys
size = int(sys.argv[1]); path = sys.argv[2]
buf = bytearray(size << 20)
for off in range(0, len(buf), 1 << 20):
    buf[off:off + (1 << 20)] = random.randbytes(1 << 20)
digest = hashlib.sha256(buf).hexdigest()
count = 0
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try: os.unlink(path)
except FileNotFoundError: pass
srv.bind(path); srv.listen(8)
while True:
    c, _ = srv.accept()
    with c:
        cmd = c.makefile().readline().strip()
        if cmd == "count":
            count += 1; out = str(count)
        elif cmd == "checksum":
            out = "ok" if hashlib.sha256(buf).hexdigest() == digest else "bad"
        else:
            out = "?"
        c.sendall((out + "\n").encode())
