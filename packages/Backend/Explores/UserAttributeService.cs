using System.Text.RegularExpressions;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Explores;

/// <summary>The organisation's user attributes: organisation admins define them and set each user's value.</summary>
public sealed partial class UserAttributeService(UserAttributeStore attributes)
{
    /// <summary>The longest attribute value.</summary>
    public const int MaxValueLength = 1024;

    /// <summary>The most user values of one attribute in one request.</summary>
    public const int MaxUsers = 10_000;

    /// <summary>Every attribute with every user's value (organisation admins).</summary>
    public async Task<IReadOnlyList<UserAttributeResults>> ListAsync(CurrentUser user, CancellationToken cancellationToken)
    {
        RequireAdmin(user);
        var (all, values) = await attributes.ListAsync(cancellationToken);
        return all.Select(a => ToResults(a, values.Where(v => v.AttributeUuid == a.AttributeUuid))).ToList();
    }

    /// <summary>Creates an attribute (organisation admins); 409 when the name is taken.</summary>
    public Task<UserAttributeResults> CreateAsync(CurrentUser user, SaveUserAttributeRequest request, CancellationToken cancellationToken)
    {
        RequireAdmin(user);
        return SaveAsync(Guid.NewGuid(), request, cancellationToken);
    }

    /// <summary>Replaces an attribute and all its values (organisation admins); 404 when it does not exist.</summary>
    public async Task<UserAttributeResults> UpdateAsync(CurrentUser user, Guid attributeUuid, SaveUserAttributeRequest request, CancellationToken cancellationToken)
    {
        RequireAdmin(user);
        return await attributes.ExistsAsync(attributeUuid, cancellationToken)
            ? await SaveAsync(attributeUuid, request, cancellationToken)
            : throw new NotFoundException($"User attribute {attributeUuid} does not exist.");
    }

    /// <summary>Deletes an attribute and its values (organisation admins); 404 when it does not exist.</summary>
    public async Task DeleteAsync(CurrentUser user, Guid attributeUuid, CancellationToken cancellationToken)
    {
        RequireAdmin(user);
        if (!await attributes.DeleteAsync(attributeUuid, cancellationToken))
        {
            throw new NotFoundException($"User attribute {attributeUuid} does not exist.");
        }
    }

    private async Task<UserAttributeResults> SaveAsync(Guid attributeUuid, SaveUserAttributeRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (!AttributeName().IsMatch(name))
        {
            throw new ValidationException($"name \"{name}\" must be 1 to 64 lower-case letters, digits and _, starting with a letter or _.");
        }

        var description = InputLimits.CheckDescription(request.Description);
        var defaultValue = request.AttributeDefault is { } given ? CheckValue(given, "attributeDefault") : null;
        var users = request.Users ?? [];
        if (users.Count > MaxUsers)
        {
            throw new ValidationException($"users has {users.Count} entries; at most {MaxUsers} are accepted.");
        }

        var values = new List<UserAttributeStore.UserValue>(users.Count);
        foreach (var entry in users)
        {
            var userUuid = entry?.UserUuid ?? throw new ValidationException("Each entry of users needs userUuid.");
            if (values.Any(v => v.UserUuid == userUuid))
            {
                throw new ValidationException($"User {userUuid} is given twice.");
            }

            values.Add(new UserAttributeStore.UserValue(attributeUuid, userUuid, CheckValue(entry.Value, $"the value of user {userUuid}")));
        }

        var attribute = new UserAttributeStore.Attribute(attributeUuid, name, description, defaultValue);
        return await attributes.SaveAsync(attribute, values, cancellationToken) switch
        {
            UserAttributeStore.SaveOutcome.NameTaken => throw new ConflictException($"A user attribute named {name} exists already."),
            UserAttributeStore.SaveOutcome.UnknownUser => throw new ValidationException("users names a user that does not exist."),
            _ => ToResults(attribute, values),
        };
    }

    private static string CheckValue(string? value, string what) => value switch
    {
        null => throw new ValidationException($"{what} is required."),
        { Length: > MaxValueLength } => throw new ValidationException($"{what} is {value.Length} characters long; at most {MaxValueLength} are accepted."),
        _ when value.Contains('\0', StringComparison.Ordinal) => throw new ValidationException($"{what} holds a NUL character."),
        _ => value,
    };

    private static void RequireAdmin(CurrentUser user)
    {
        if (!user.IsAdmin)
        {
            throw new ForbiddenException("Only organisation admins manage user attributes.");
        }
    }

    private static UserAttributeResults ToResults(UserAttributeStore.Attribute attribute, IEnumerable<UserAttributeStore.UserValue> values) => new()
    {
        Uuid = attribute.AttributeUuid,
        Name = attribute.Name,
        Description = attribute.Description,
        AttributeDefault = attribute.DefaultValue,
        Users = values.Select(v => new UserAttributeValueResults { UserUuid = v.UserUuid, Value = v.Value }).ToList(),
    };

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,63}$")]
    private static partial Regex AttributeName();
}
