using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// The keys that encrypt secrets at rest (section <c>Secrets</c>): warehouse connection strings, members'
/// warehouse passwords and webhook signing secrets are stored encrypted with AES-256-GCM under
/// <see cref="Key"/>, so that a dump of the metadata database reveals none of them.
/// </summary>
public sealed class SecretsOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Secrets";

    /// <summary>
    /// The current key: 32 random bytes in base64 (<c>head -c 32 /dev/urandom | base64</c>). Required.
    /// Everything stored is encrypted with it, and what was stored under a previous key is encrypted
    /// again with it at start-up.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Keys used before (base64), kept only to read what they encrypted until it has been encrypted again (at the next start).</summary>
    public List<string> PreviousKeys { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsKey(Key))
        {
            yield return new ValidationResult(
                "Secrets:Key must be 32 random bytes in base64 (head -c 32 /dev/urandom | base64): it encrypts warehouse credentials and webhook secrets at rest.",
                [nameof(Key)]);
        }

        foreach (var previous in PreviousKeys.Where(k => !IsKey(k)))
        {
            yield return new ValidationResult($"Secrets:PreviousKeys holds a value that is not 32 bytes in base64 ({previous.Length} characters).", [nameof(PreviousKeys)]);
        }
    }

    private static bool IsKey(string? value)
    {
        var buffer = new byte[64];
        return value is not null && Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == 32;
    }
}
