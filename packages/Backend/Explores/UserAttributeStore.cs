using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Explores;

/// <summary>Reads and writes <c>user_attributes</c> and <c>user_attribute_values</c>: the organisation's user attributes and each user's values.</summary>
public sealed class UserAttributeStore(NpgsqlDataSource dataSource)
{
    private const string ListSql = """
        SELECT attribute_uuid AS AttributeUuid, name AS Name, description AS Description, default_value AS DefaultValue FROM user_attributes ORDER BY name;
        SELECT attribute_uuid AS AttributeUuid, user_uuid AS UserUuid, value AS Value FROM user_attribute_values ORDER BY attribute_uuid, user_uuid;
        """;

    private const string UpsertSql = """
        INSERT INTO user_attributes (attribute_uuid, name, description, default_value) VALUES (@AttributeUuid, @Name, @Description, @DefaultValue)
        ON CONFLICT (attribute_uuid) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, default_value = EXCLUDED.default_value
        """;

    private const string ClearValuesSql = "DELETE FROM user_attribute_values WHERE attribute_uuid = @attributeUuid";

    private const string InsertValueSql = "INSERT INTO user_attribute_values (attribute_uuid, user_uuid, value) VALUES (@AttributeUuid, @UserUuid, @Value)";

    private const string DeleteSql = "DELETE FROM user_attributes WHERE attribute_uuid = @attributeUuid";

    private const string ExistsSql = "SELECT count(*) FROM user_attributes WHERE attribute_uuid = @attributeUuid";

    // Every attribute with the user's value, or its default; attributes with neither are left out.
    private const string ForUserSql = """
        SELECT a.name AS Name, COALESCE(v.value, a.default_value) AS Value
        FROM user_attributes a LEFT JOIN user_attribute_values v ON v.attribute_uuid = a.attribute_uuid AND v.user_uuid = @userUuid
        WHERE COALESCE(v.value, a.default_value) IS NOT NULL
        """;

    /// <summary>An attribute.</summary>
    /// <param name="AttributeUuid">Its id.</param>
    /// <param name="Name">Its name in model SQL and access rules.</param>
    /// <param name="Description">What it is for.</param>
    /// <param name="DefaultValue">The value of users without their own, or null.</param>
    public sealed record Attribute(Guid AttributeUuid, string Name, string? Description, string? DefaultValue);

    /// <summary>One user's value of an attribute.</summary>
    /// <param name="AttributeUuid">The attribute.</param>
    /// <param name="UserUuid">The user.</param>
    /// <param name="Value">The value.</param>
    public sealed record UserValue(Guid AttributeUuid, Guid UserUuid, string Value);

    private sealed record NameValue(string Name, string Value);

    /// <summary>Every attribute and every user's value.</summary>
    public async Task<(IReadOnlyList<Attribute> Attributes, IReadOnlyList<UserValue> Values)> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(ListSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var attributes = (await grid.ReadAsync<Attribute>().ConfigureAwait(false)).ToList();
        var values = (await grid.ReadAsync<UserValue>().ConfigureAwait(false)).ToList();
        return (attributes, values);
    }

    /// <summary>What saving an attribute came to.</summary>
    public enum SaveOutcome
    {
        /// <summary>Saved with exactly the given values.</summary>
        Saved,

        /// <summary>Another attribute has the name; nothing changed.</summary>
        NameTaken,

        /// <summary>A value names a user that does not exist; nothing changed.</summary>
        UnknownUser,
    }

    /// <summary>Creates or replaces an attribute with exactly these user values, in one transaction.</summary>
    public async Task<SaveOutcome> SaveAsync(Attribute attribute, IReadOnlyList<UserValue> values, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertSql, attribute, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(ClearValuesSql, new { attributeUuid = attribute.AttributeUuid }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(InsertValueSql, values, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation)
        {
            return e.SqlState == PostgresErrorCodes.UniqueViolation ? SaveOutcome.NameTaken : SaveOutcome.UnknownUser;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return SaveOutcome.Saved;
    }

    /// <summary>True when the attribute exists.</summary>
    public async Task<bool> ExistsAsync(Guid attributeUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(ExistsSql, new { attributeUuid }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>Deletes the attribute and its values; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(Guid attributeUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { attributeUuid }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>The user's value of every attribute (their own, or the default), by name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ForUserAsync(Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<NameValue>(new CommandDefinition(ForUserSql, new { userUuid }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Name, r => r.Value, StringComparer.Ordinal);
    }
}
