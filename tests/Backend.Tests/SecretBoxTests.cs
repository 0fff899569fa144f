using System.Security.Cryptography;
using Lightdash.Net.Backend.Access;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Encryption of stored secrets, as pure code.</summary>
public class SecretBoxTests
{
    private static readonly byte[] KeyA = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] KeyB = RandomNumberGenerator.GetBytes(32);

    [Test]
    public void Protect_RoundTrips_AndNeverShowsTheValue()
    {
        var box = new SecretBox(KeyA, []);

        var stored = box.Protect("Host=db;Password=hunter2", "projects.warehouse_connection");

        Assert.That(stored, Does.StartWith($"ldenc:v1:{box.CurrentKeyId}:").And.Not.Contain("hunter2"));
        Assert.That(box.Unprotect(stored, "projects.warehouse_connection"), Is.EqualTo("Host=db;Password=hunter2"));
        var again = box.Protect("Host=db;Password=hunter2", "projects.warehouse_connection");
        Assert.That(again, Is.Not.EqualTo(stored), "a fresh nonce each time");
    }

    [Test]
    public void Unprotect_InAnotherColumn_OrAltered_Fails()
    {
        var box = new SecretBox(KeyA, []);
        var stored = box.Protect("secret", "schedulers.targets");
        var altered = stored[..^4] + (stored[^4] == 'A' ? "B" : "A") + stored[^3..];

        Assert.Throws<AuthenticationTagMismatchException>(() => box.Unprotect(stored, "projects.warehouse_connection"));
        Assert.That(() => box.Unprotect(altered, "schedulers.targets"), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void Rotation_ReadsThePreviousKey_AndSaysWhatNeedsRewrapping()
    {
        var old = new SecretBox(KeyA, []).Protect("secret", "c");
        var rotated = new SecretBox(KeyB, [KeyA]);

        Assert.That(rotated.Unprotect(old, "c"), Is.EqualTo("secret"));
        Assert.That(rotated.NeedsRewrap(old), Is.True);
        Assert.That(rotated.NeedsRewrap(rotated.Protect("secret", "c")), Is.False);
        Assert.That(rotated.NeedsRewrap("plain text from before"), Is.True);
        Assert.That(rotated.Unprotect("plain text from before", "c"), Is.EqualTo("plain text from before"));
        var message = Assert.Throws<CryptographicException>(() => new SecretBox(KeyB, []).Unprotect(old, "c"))!.Message;
        Assert.That(message, Does.Contain("Secrets:PreviousKeys"));
    }

    [Test]
    public void SecretsInJson_AreEncryptedAndDecryptedInPlace()
    {
        var box = new SecretBox(KeyA, []);
        const string targets = """[{"type":"webhook","url":"https://x","secret":"s3cret"},{"type":"s3","prefix":"p"}]""";

        var stored = box.TransformSecretsInJson(targets, "schedulers.targets", protect: true);

        Assert.That(stored, Does.Not.Contain("s3cret").And.Contain("\"prefix\":\"p\""));
        Assert.That(box.SecretsInJsonNeedRewrap(stored), Is.False);
        Assert.That(box.SecretsInJsonNeedRewrap(targets), Is.True);
        Assert.That(box.TransformSecretsInJson(stored, "schedulers.targets", protect: false), Does.Contain("\"secret\":\"s3cret\""));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("c2hvcnQ=")]
    [TestCase("not base64 at all")]
    public void Options_WithoutA32ByteKey_AreRefusedNamingTheSetting(string? key)
    {
        var options = new SecretsOptions { Key = key };

        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), problems, validateAllProperties: true);

        Assert.That(valid, Is.False);
        Assert.That(problems.Single().ErrorMessage, Does.StartWith("Secrets:Key must be 32 random bytes in base64"));
        var good = new SecretsOptions { Key = Convert.ToBase64String(KeyA) };
        Assert.That(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(good, new(good), [], validateAllProperties: true), Is.True);
    }
}
