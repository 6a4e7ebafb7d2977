using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MimoBackup.EfCore.Tests;

/// <summary>An error answer the real service gives and Azurite cannot (an immutability policy, a legal hold).</summary>
internal sealed class FakeResponse(int status, string errorCode) : Response
{
    private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["x-ms-error-code"] = errorCode,
        ["Content-Type"] = "application/xml",
    };

    public override int Status => status;
    public override string ReasonPhrase => errorCode;
    public override Stream? ContentStream { get; set; } = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(
        $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{errorCode}</Code><Message>played by the test</Message></Error>"));
    public override string ClientRequestId { get; set; } = "";

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = headers.TryGetValue(name, out var value) ? [value] : null;
        return values is not null;
    }

    protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Key, h.Value));
}

/// <summary>
/// The real transport, except that every request of one method gets <see cref="FakeResponse"/> and is not sent. A
/// transport rather than a policy, so that the SDK reads the answer's error code as it reads the service's.
/// </summary>
internal sealed class AnswerTransport(RequestMethod method, int status, string errorCode) : HttpPipelineTransport
{
    private readonly HttpClientTransport inner = new();

    public override Request CreateRequest() => inner.CreateRequest();

    public override void Process(HttpMessage message)
    {
        if (message.Request.Method == method)
        {
            message.Response = new FakeResponse(status, errorCode);
            return;
        }

        inner.Process(message);
    }

    public override ValueTask ProcessAsync(HttpMessage message)
    {
        Process(message);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Flips one byte in the body of the n-th upload request (Put Blob or Put Block), after the SDK set its Content-MD5:
/// a body damaged in transit.
/// </summary>
internal sealed class CorruptBodyPolicy(int request) : HttpPipelinePolicy
{
    private int seen;

    public int Corrupted { get; private set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (message.Request.Method == RequestMethod.Put && message.Request.Content is { } content
            && !message.Request.Uri.Query.Contains("comp=blocklist", StringComparison.Ordinal)
            && Interlocked.Increment(ref seen) == request)
        {
            using var copy = new MemoryStream();
            content.WriteTo(copy, message.CancellationToken);
            var bytes = copy.ToArray();
            bytes[bytes.Length / 2] ^= 0x01;
            message.Request.Content = RequestContent.Create(bytes);
            Corrupted++;
        }

        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Process(message, pipeline);
        return ValueTask.CompletedTask;
    }
}
