using System.Globalization;
using Npgsql;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>
/// Checked on the connection before every statement, in the same round trip that sets its limits:
/// the login must not be privileged (superuser, CREATEROLE, server files or programs) and the
/// database must not be a Lightdash.Net metadata database. The same round trip tags the session
/// with the query it serves (<c>application_name</c>). Per statement rather than per physical
/// connection, so that a role granted more rights later is refused from its next query on.
/// </summary>
internal static class PostgresSessionGuard
{
    /// <summary>The comment a metadata database carries (set by its migrations); a warehouse connection to such a database is refused.</summary>
    public const string MetadataDatabaseComment = "lightdash-net metadata database";

    // statement_timeout bounds the statement that follows; default_transaction_read_only makes its
    // implicit transaction read-only, which the statement itself cannot undo.
    private const string Sql = """
        SELECT r.rolsuper,
               r.rolcreaterole,
               pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')
                 OR pg_has_role(current_user, 'pg_write_server_files', 'MEMBER')
                 OR pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'),
               coalesce(shobj_description(d.oid, 'pg_database'), '') LIKE @marker || '%',
               current_user::text,
               set_config('statement_timeout', @timeout, false),
               set_config('default_transaction_read_only', 'on', false),
               set_config('application_name', @applicationName, false)
        FROM pg_roles r, pg_database d
        WHERE r.rolname = current_user AND d.datname = current_database()
        """;

    /// <summary>Applies the statement's limits and refuses a privileged login or a metadata database.</summary>
    /// <exception cref="WarehouseQueryException">The login or the database is refused.</exception>
    public static async Task ApplyAsync(NpgsqlConnection connection, WarehouseSecurityPolicy policy, TimeSpan? timeout, string applicationName, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(Sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("marker", MetadataDatabaseComment);
        command.Parameters.AddWithValue("applicationName", applicationName);
        command.Parameters.AddWithValue("timeout", timeout is { } t ? ((long)Math.Ceiling(t.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) : "0");
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new WarehouseQueryException("The warehouse login could not be checked: its role or database is not visible to it.");
        }

        var (superuser, createRole, serverAccess, metadata, role) =
            (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetString(4));
        if (metadata)
        {
            throw new WarehouseQueryException(
                "This connection reaches a Lightdash.Net metadata database, which is never a warehouse. Point the project at the warehouse's own database.");
        }

        if (policy.AllowPrivilegedLogins)
        {
            return;
        }

        var why = superuser ? "is a superuser"
            : createRole ? "may create roles (CREATEROLE)"
            : serverAccess ? "may read or write the server's files or run programs on it"
            : null;
        if (why is not null)
        {
            throw new WarehouseQueryException(
                $"The warehouse login \"{role}\" {why}; queries run with its rights, so it is refused. Use a read-only role " +
                "(SELECT on the tables users may query, nothing more), or let an operator allow privileged logins (WarehouseSecurity:AllowPrivilegedLogins).");
        }
    }
}
