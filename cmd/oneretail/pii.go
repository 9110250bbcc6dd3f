package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// piiKeyFile is the name of the key file kept beside a SQLite database when no
// --pii-key is given.
const piiKeyFile = "pii.key"

// rotateCommand is how the messages below name the rotation command.
const rotateCommand = "`oneretail admin rotate-pii-key --new-key NEWKEY`"

// piiSecret returns the master secret that encrypts personal data: --pii-key when
// given; otherwise, for SQLite, the key file beside the database (created on first
// use, readable by the owner only). PostgreSQL deployments must pass --pii-key: a
// key file on one node would leave the others unable to read the data.
func (o *options) piiSecret(log *slog.Logger) ([]byte, error) {
	secret, path, err := o.givenPIISecret()
	if !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	encoded := pii.NewSecret()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return o.piiSecret(log) // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(encoded + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	log.Warn("created a key for personal data beside the database; back it up with the database (without it the data cannot be read)", "path", path)
	return pii.ParseSecret(encoded)
}

// givenPIISecret returns the secret of --pii-key, or else the one in the key file
// beside a SQLite database with the file's path (an error wrapping fs.ErrNotExist,
// with the path, when there is no such file yet).
func (o *options) givenPIISecret() (secret []byte, keyFile string, err error) {
	if o.piiKey != "" {
		b, err := pii.ParseSecret(o.piiKey)
		if err != nil {
			return nil, "", fmt.Errorf("--pii-key: %w", err)
		}
		return b, "", nil
	}
	if db.IsPostgresDSN(o.db) {
		return nil, "", errors.New("--pii-key (or ONERETAIL_PII_KEY) is required with PostgreSQL; make one with `oneretail admin new-pii-key`")
	}
	dbPath, _, _ := strings.Cut(strings.TrimPrefix(o.db, "file:"), "?")
	path := filepath.Join(filepath.Dir(dbPath), piiKeyFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("read %s: %w", path, err)
	}
	if secret, err = pii.ParseSecret(string(b)); err != nil {
		return nil, path, fmt.Errorf("%s: %w", path, err)
	}
	return secret, path, nil
}

// checkPIIKey refuses to serve a database holding personal data under another key
// than the service's, which a half-done rotation leaves.
func checkPIIKey(ctx context.Context, a *app.App) error {
	err := a.Identity.CheckKeys(ctx)
	if errors.Is(err, identity.ErrOtherKey) {
		return fmt.Errorf("%w: either a key rotation was interrupted — run %s again with the old key to finish it, then start with the new key — or this is not the key that sealed the data", err, rotateCommand)
	}
	return err
}

func newRotatePIIKeyCommand(opts *options) *cobra.Command {
	var newKey string
	var batch int
	cmd := &cobra.Command{
		Use:   "rotate-pii-key",
		Short: "Re-seal all personal data under a new master secret (stop the service first)",
		Long: "Re-seal every sealed value and recompute every blind index of every tenant under --new-key; the current key comes from " +
			"--pii-key, ONERETAIL_PII_KEY or pii.key beside a SQLite database. Stop the service first. Rows are converted in transactions " +
			"of --batch rows; interrupted (Ctrl-C), the command keeps whole transactions only and running it again finishes the job. " +
			"When the key came from pii.key, the file gets the new key once every row is converted and the old key is kept beside it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rotatePIIKey(cmd.Context(), opts, newKey, batch, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&newKey, "new-key", "", "the new base64 master secret (make one with admin new-pii-key); ONERETAIL_NEW_KEY keeps it off the command line")
	cmd.Flags().IntVar(&batch, "batch", 500, "rows converted per transaction")
	return cmd
}

// rotatePIIKey runs identity.RotateKeys from the current key to newKey and then, when
// the current key came from the key file, replaces the file's key.
func rotatePIIKey(ctx context.Context, opts *options, newKey string, batch int, out, progress io.Writer) error {
	if newKey == "" {
		return errors.New("--new-key (or ONERETAIL_NEW_KEY) is required; make one with `oneretail admin new-pii-key`")
	}
	next, err := pii.ParseSecret(newKey)
	if err != nil {
		return fmt.Errorf("--new-key: %w", err)
	}
	old, keyFile, err := opts.givenPIISecret()
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no --pii-key given and %w: there is no key to rotate from", err)
	}
	if err != nil {
		return err
	}
	if bytes.Equal(old, next) {
		return errors.New("--new-key is the current key: nothing to rotate")
	}
	from, err := pii.NewKeys(old)
	if err != nil {
		return err
	}
	to, err := pii.NewKeys(next)
	if err != nil {
		return err
	}
	a, err := opts.open(ctx, app.Config{PIISecret: old})
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := identity.RotateKeys(ctx, a.DB, from, to, identity.RotateOptions{BatchSize: batch, Progress: newProgress(progress)})
	fmt.Fprintln(progress)
	if errors.Is(err, identity.ErrOtherKey) {
		return fmt.Errorf("%w: it is neither the current key (%s) nor --new-key (%s); nothing was converted", err, from.ID(), to.ID())
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("rotation interrupted; the rows converted so far are under the new key %s and the service refuses to start until %s is run again to finish: %w",
			to.ID(), rotateCommand, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "personal data re-sealed from key %s to key %s: %d identifiers, %d profiles, %d events, %d stored responses\n",
		from.ID(), to.ID(), rep.Rows["customer_identifiers"], rep.Rows["customer_profiles"], rep.Rows["events"], rep.Rows["idempotency_keys"])
	if keyFile == "" {
		fmt.Fprintln(out, "start the service with the new key (--pii-key or ONERETAIL_PII_KEY); keep the old key with the backups taken before now")
		return nil
	}
	kept, err := replaceKeyFile(keyFile, from.ID(), next)
	if err != nil {
		return fmt.Errorf("every row is under the new key, but %w; put the new key in %s by hand", err, keyFile)
	}
	fmt.Fprintf(out, "%s now holds the new key; the old one is kept in %s for the backups taken before now\n", keyFile, kept)
	return nil
}

// replaceKeyFile keeps the key of path in path.<oldID>.old and then puts secret in
// path, so that path holds one of the two keys at every moment.
func replaceKeyFile(path, oldID string, secret []byte) (string, error) {
	current, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	kept := path + "." + oldID + ".old"
	if err := writeKeyFile(kept, current); err != nil {
		return "", err
	}
	staged := path + ".new"
	if err := writeKeyFile(staged, []byte(base64.StdEncoding.EncodeToString(secret)+"\n")); err != nil {
		return "", err
	}
	if err := os.Rename(staged, path); err != nil {
		return "", fmt.Errorf("replace %s: %w", path, err)
	}
	return kept, nil
}

// writeKeyFile writes a key file readable by the owner only and syncs it to disk.
func writeKeyFile(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
