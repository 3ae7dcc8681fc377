"""PID 1 of a learner's bubblewrap sandbox.

bubblewrap's --new-session detaches the sandbox from the lab's terminal, so
that nothing inside can push input into it (TIOCSTI) or take it over. A shell
without a controlling terminal has no job control and Ctrl-C would reach the
sandbox's parent instead, so this init opens a terminal of the sandbox's own
(its private devpts), runs the shell as the session leader on it and relays
bytes between it and the lab's terminal on stdin/stdout. It also

- copies the lab terminal's window size to the inner one on SIGWINCH, which the
  lab server sends after every resize;
- reaps orphans, as a PID 1 must;
- with --tunnel SOCKET PORT, listens on 127.0.0.1:PORT inside the sandbox's
  network namespace (loopback only) and carries each connection over the unix
  SOCKET the lab bound in: the learner's one way out, to their own cluster.

Usage: sandbox-init.py [--tunnel SOCKET PORT] -- COMMAND [ARG...]
It exits with the shell's exit code; the kernel then ends everything else in
the sandbox's PID namespace.
"""

# The C modules themselves: signal, socket, threading and tty import enum and
# more, and every millisecond of this start is a learner waiting for a prompt.
import _signal as signal
import _socket as socket
import _thread
import fcntl
import os
import select
import sys
import termios

CHUNK = 65536


def parse(argv):
    tunnel = None
    rest = argv[1:]
    if rest[:1] == ['--tunnel']:
        tunnel = (rest[1], int(rest[2]))
        rest = rest[3:]
    if rest[:1] != ['--'] or len(rest) < 2:
        sys.stderr.write('usage: sandbox-init.py [--tunnel SOCKET PORT] -- COMMAND [ARG...]\n')
        sys.exit(2)
    return tunnel, rest[1:]


def set_raw(fd):
    """tty.setraw, without importing tty."""
    try:
        mode = termios.tcgetattr(fd)
    except termios.error:
        return
    mode[0] &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP | termios.IXON)
    mode[1] &= ~termios.OPOST
    mode[2] = (mode[2] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
    mode[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, mode)


def copy_window_size(source, target):
    try:
        fcntl.ioctl(target, termios.TIOCSWINSZ, fcntl.ioctl(source, termios.TIOCGWINSZ, b'\0' * 8))
    except OSError:
        pass


def pipe(source, target, done=None):
    try:
        while True:
            data = source.recv(CHUNK)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if done is not None:
            done.release()


def carry(client, socket_path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(socket_path)
        back = _thread.allocate_lock()
        back.acquire()
        _thread.start_new_thread(pipe, (upstream, client, back))
        pipe(client, upstream)
        back.acquire()
    except Exception:
        # A connection that fails is the client's to see (a reset); nothing is printed into the learner's terminal.
        pass
    finally:
        client.close()
        upstream.close()


def serve_tunnel(socket_path, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', port))
    listener.listen(64)

    def accept():
        while True:
            fd, _ = listener._accept()
            _thread.start_new_thread(carry, (socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd), socket_path))

    _thread.start_new_thread(accept, ())


def main():
    tunnel, command = parse(sys.argv)
    # Raw at once, and without flushing: keys typed while the sandbox started reach the shell, echoed once, by it.
    set_raw(0)
    if tunnel:
        serve_tunnel(*tunnel)

    master, slave = os.openpty()
    copy_window_size(0, master)
    shell = os.fork()
    if shell == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.closerange(3, 65536)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        try:
            os.execvp(command[0], command)
        except OSError as error:
            os.write(2, f'labpath: cannot start {command[0]}: {error.strerror}\r\n'.encode())
            os._exit(127)
    os.close(slave)

    # Signals only wake the loop; their work is done in it.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGWINCH, lambda *_: None)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    exit_code = None
    watched = [0, master, wake_read]
    # Asked now: once hung up, a terminal no longer says it is one.
    on_terminal = os.isatty(0)
    while exit_code is None:
        readable, _, _ = select.select(watched, [], [])
        if wake_read in readable:
            os.read(wake_read, 512)
            copy_window_size(0, master)
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid == shell:
                    exit_code = os.waitstatus_to_exitcode(status)
                    if exit_code < 0:
                        exit_code = 128 - exit_code
        if master in readable:
            try:
                data = os.read(master, CHUNK)
            except OSError:
                data = b''
            if data:
                os.write(1, data)
        if 0 in readable:
            try:
                data = os.read(0, CHUNK)
            except OSError:
                # The lab closed its terminal: the sandbox ends with it.
                return 129
            if data:
                os.write(master, data)
            elif on_terminal:
                # A terminal at its end was hung up: the lab closed it, or died (SIGKILL) as
                # this sandbox started. The sandbox ends with it, rather than run on orphaned.
                return 129
            else:
                # No input at all (not a terminal): the shell runs on without.
                watched.remove(0)

    # What the shell wrote just before it exited.
    while True:
        readable, _, _ = select.select([master], [], [], 0)
        if not readable:
            break
        try:
            data = os.read(master, CHUNK)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    return exit_code


if __name__ == '__main__':
    sys.exit(main())
