using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>Scheduled deliveries: where files go, how webhooks are retried, the SMTP server for email.</summary>
public sealed class DeliveriesOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Deliveries";

    /// <summary>The bucket S3 targets copy files into (under <c>deliveries/{projectUuid}/{prefix}/</c>); the results bucket when empty.</summary>
    public string? S3Bucket { get; set; }

    /// <summary>How long the links in a delivery stay valid (at most 7 days, S3's limit).</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a delivery waits for its queries.</summary>
    public TimeSpan QueryWait { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Files up to this size are attached to emails; larger ones are linked.</summary>
    [Range(0, 100 * 1024 * 1024)]
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The SMTP server for email targets and failure notices; email is off without a host.</summary>
    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>An SMTP server.</summary>
    public sealed class SmtpSettings
    {
        /// <summary>Its host; empty turns email off.</summary>
        public string? Host { get; set; }

        /// <summary>Its port.</summary>
        [Range(1, 65535)]
        public int Port { get; set; } = 25;

        /// <summary>Use STARTTLS when the server offers it (never for a loopback server in tests).</summary>
        public bool UseStartTls { get; set; }

        /// <summary>The login, or empty for none.</summary>
        public string? Username { get; set; }

        /// <summary>The password.</summary>
        public string? Password { get; set; }

        /// <summary>The sender address.</summary>
        public string From { get; set; } = "lightdash@localhost";
    }
}
