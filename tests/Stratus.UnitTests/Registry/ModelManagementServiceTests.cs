using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;
using Stratus.Registry;

namespace Stratus.Tests.Unit;

public sealed class ModelManagementServiceTests
{
    private static readonly ModelSignature Signature = new([new TensorSpec("x", "float", [-1, 2])], [new TensorSpec("y", "float", [-1, 1])]);

    private readonly Mock<IModelRegistry> _registry = new(MockBehavior.Strict);
    private readonly Mock<IArtifactStore> _artifacts = new(MockBehavior.Strict);
    private readonly Mock<IModelInspector> _inspector = new(MockBehavior.Strict);

    private ModelManagementService Service(long maxUpload = 1000)
    {
        var options = Options.Create(new StratusOptions { Registry = new RegistryOptions { MaxUploadBytes = maxUpload } });
        return new ModelManagementService(_registry.Object, _artifacts.Object, _inspector.Object, new ModelCatalog(_registry.Object, options, TimeProvider.System), options, TimeProvider.System, NullLogger<ModelManagementService>.Instance);
    }

    private void CardExists() =>
        _registry.Setup(r => r.GetCardAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(new ModelCard { Name = "m" }, "e1"));

    [Fact]
    public async Task Upload_hashes_inspects_then_allocates_stores_and_records()
    {
        CardExists();
        var bytes = new byte[] { 1, 2, 3, 4 };
        _inspector.Setup(i => i.Inspect(It.IsAny<string>())).Returns<string>(path =>
        {
            Assert.Equal(bytes, File.ReadAllBytes(path)); // inspected the staged copy of exactly the uploaded bytes
            return Signature;
        });
        _registry.Setup(r => r.AllocateVersionAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync(7);
        byte[]? stored = null;
        _artifacts.Setup(a => a.UploadAsync("m/7/model.onnx", It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .Callback<string, Stream, CancellationToken>((_, s, _) => { using var copy = new MemoryStream(); s.CopyTo(copy); stored = copy.ToArray(); })
            .Returns(Task.CompletedTask);
        ModelVersion? recorded = null;
        _registry.Setup(r => r.AddVersionAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>())).Callback<ModelVersion, CancellationToken>((v, _) => recorded = v).Returns(Task.CompletedTask);

        var version = await Service().UploadVersionAsync("m", new MemoryStream(bytes), null, null, CancellationToken.None);

        Assert.Equal(7, version.Version);
        Assert.Equal(bytes, stored);
        Assert.Same(version, recorded);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), version.Sha256);
        Assert.Equal(4, version.SizeBytes);
        Assert.Equal(Lineage.UploadSource, version.Lineage.Source);
        Assert.Same(Signature, version.Signature);
    }

    [Fact]
    public async Task Rejected_models_never_get_a_version_number()
    {
        CardExists();
        _inspector.Setup(i => i.Inspect(It.IsAny<string>())).Throws(DomainException.Invalid("Not an ONNX model", "nope"));
        var problem = await Assert.ThrowsAsync<DomainException>(() => Service().UploadVersionAsync("m", new MemoryStream([9, 9]), null, null, CancellationToken.None));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);
        _registry.Verify(r => r.AllocateVersionAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Oversized_uploads_are_413_whether_declared_or_streamed()
    {
        CardExists();
        var declared = await Assert.ThrowsAsync<DomainException>(() => Service(maxUpload: 10).UploadVersionAsync("m", new MemoryStream(), 11, null, CancellationToken.None));
        Assert.Equal(ErrorKind.TooLarge, declared.Kind);
        var streamed = await Assert.ThrowsAsync<DomainException>(() => Service(maxUpload: 10).UploadVersionAsync("m", new MemoryStream(new byte[11]), null, null, CancellationToken.None));
        Assert.Equal(ErrorKind.TooLarge, streamed.Kind);
        _inspector.Verify(i => i.Inspect(It.IsAny<string>()), Times.Never);
    }

    [Fact]
    public async Task Uploads_need_a_card()
    {
        _registry.Setup(r => r.GetCardAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync((Versioned<ModelCard>?)null);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<DomainException>(() => Service().UploadVersionAsync("m", new MemoryStream([1]), null, null, CancellationToken.None))).Kind);
    }

    [Fact]
    public async Task Removing_a_missing_alias_is_404()
    {
        _registry.Setup(r => r.RemoveAliasAsync("m", "canary", It.IsAny<CancellationToken>())).ReturnsAsync(false);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<DomainException>(() => Service().RemoveAliasAsync("m", "canary", CancellationToken.None))).Kind);
    }
}
