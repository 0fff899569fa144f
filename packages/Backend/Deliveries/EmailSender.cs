using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>A file attached to an email.</summary>
/// <param name="Name">Its name.</param>
/// <param name="ContentType">Its content type.</param>
/// <param name="Content">Its bytes.</param>
public sealed record EmailAttachment(string Name, string ContentType, byte[] Content);

/// <summary>Sends email through the configured SMTP server (MailKit).</summary>
public sealed class EmailSender(IOptions<DeliveriesOptions> options)
{
    /// <summary>True when an SMTP server is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.Smtp.Host);

    /// <summary>Sends one message to <paramref name="recipients"/>.</summary>
    public async Task SendAsync(IReadOnlyList<string> recipients, string subject, string text, IReadOnlyList<EmailAttachment> attachments, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = subject;
        var body = new BodyBuilder { TextBody = text };
        foreach (var attachment in attachments)
        {
            body.Attachments.Add(attachment.Name, attachment.Content, ContentType.Parse(attachment.ContentType));
        }

        message.Body = body.ToMessageBody();
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("No SMTP server is configured (Deliveries:Smtp:Host)."), smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }
}
