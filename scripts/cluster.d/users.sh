# shellcheck shell=bash
# Test users: accounts with homes on the shared /home, and a laptop-side key
# for each whose public half is in the user's authorized_keys exactly once.

ensure_user() {
  local user=$1 hash
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash -U "$user"
  hash=$(getent shadow "$user" | cut -d: -f2)
  # useradd leaves '!' (locked): with UsePAM no sshd then refuses even keys.
  # Only a locked field is replaced, so a password a test set stays.
  if [[ $hash == '!'* ]]; then usermod -p '*' "$user"; fi
}

ensure_laptop_key() {
  local user=$1 key=$LAPTOP/$1_ed25519
  [[ -s $key && -s $key.pub ]] && return 0
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "slurmhop-laptop-$user" -f "$key"
  chmod 0600 "$key"
}

ensure_authorized_key() {
  local user=$1 home group pub file
  home=$(getent passwd "$user" | cut -d: -f6)
  group=$(id -gn "$user")
  pub=$(cat "$LAPTOP/${user}_ed25519.pub")
  file=$home/.ssh/authorized_keys
  install -d -m 0700 -o "$user" -g "$group" "$home/.ssh"
  [[ -e $file ]] || install -m 0600 -o "$user" -g "$group" /dev/null "$file"
  if ! grep -qxF -- "$pub" "$file"; then
    # keep an unterminated last line from swallowing ours
    [[ ! -s $file || -z $(tail -c1 "$file") ]] || printf '\n' >>"$file"
    printf '%s\n' "$pub" >>"$file"
  fi
  chown "$user:$group" "$file"
  chmod 0600 "$file"
}

users_up() {
  local user
  for user in $USERS_LIST; do
    ensure_user "$user"
    ensure_laptop_key "$user"
    ensure_authorized_key "$user"
  done
}
