# Sourced by scripts: loopback ports for the brokers they start.

# port_in_use PORT: true when something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port [FROM]: the first port from FROM (default 18830) that nothing listens on.
free_port() {
  local port="${1:-18830}"
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}
