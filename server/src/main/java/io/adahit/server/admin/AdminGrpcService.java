package io.adahit.server.admin;

import io.adahit.agents.errors.ErrorKind;
import io.adahit.proto.v1.AdapterInfo;
import io.adahit.proto.v1.AdapterRequest;
import io.adahit.proto.v1.AdminServiceGrpc;
import io.adahit.proto.v1.ExperimentDefinition;
import io.adahit.proto.v1.ExperimentInfo;
import io.adahit.proto.v1.ListAdaptersRequest;
import io.adahit.proto.v1.ListAdaptersResponse;
import io.adahit.proto.v1.ListExperimentsRequest;
import io.adahit.proto.v1.ListExperimentsResponse;
import io.adahit.proto.v1.ReportRequest;
import io.adahit.proto.v1.ReportResponse;
import io.adahit.proto.v1.StopExperimentRequest;
import io.adahit.proto.v1.StopExperimentResponse;
import io.adahit.proto.v1.UnloadAdapterRequest;
import io.adahit.proto.v1.UnloadAdapterResponse;
import io.adahit.proto.v1.VariantComparison;
import io.adahit.proto.v1.VariantDefinition;
import io.adahit.proto.v1.VariantReport;
import io.adahit.server.experiments.AbReport;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.experiments.ExperimentService;
import io.adahit.server.grpc.GrpcErrors;
import io.adahit.server.grpc.ProtoEnums;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * AdminService over gRPC (token checked by {@link AdminAuthInterceptor}): maps protobuf to {@link
 * AdminOperations} and back. The work runs on the admin executor; the gRPC thread only queues it.
 * Errors become Status codes through {@link AdminErrors}.
 *
 * <pre>{@code
 * ServerServiceDefinition admin = ServerInterceptors.intercept(
 *     new AdminGrpcService(() -> operations, adminExecutor), new AdminAuthInterceptor(auth));
 * // client: AdminServiceGrpc.newBlockingStub(channel) with metadata "authorization: Bearer <token>"
 * }</pre>
 */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {

  /** Work that may throw checked exceptions. */
  @FunctionalInterface
  private interface Work<T> {
    T run(AdminOperations ops) throws Exception;
  }

  private final Supplier<AdminOperations> operations;
  private final Executor executor;

  /**
   * @param operations the admin operations, or null from the supplier while the server is not ready
   * @param executor the admin executor (blocking work)
   */
  public AdminGrpcService(Supplier<AdminOperations> operations, Executor executor) {
    this.operations = operations;
    this.executor = executor;
  }

  private <T> void run(StreamObserver<T> out, Work<T> work) {
    AdminOperations ops = operations.get();
    if (ops == null) {
      out.onError(GrpcErrors.error(ErrorKind.UNAVAILABLE, "NOT_READY", "the server is not ready"));
      return;
    }
    CompletableFuture.supplyAsync(
            () -> {
              try {
                return work.run(ops);
              } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            },
            executor)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                out.onError(AdminErrors.toStatus(e));
              } else {
                out.onNext(r);
                out.onCompleted();
              }
            });
  }

  @Override
  public void listAdapters(ListAdaptersRequest request, StreamObserver<ListAdaptersResponse> out) {
    run(
        out,
        ops -> {
          ListAdaptersResponse.Builder b = ListAdaptersResponse.newBuilder();
          ops.adapters().forEach(v -> b.addAdapters(toProto(v)));
          return b.build();
        });
  }

  @Override
  public void loadAdapter(AdapterRequest request, StreamObserver<AdapterInfo> out) {
    run(out, ops -> toProto(ops.load(request.getSkill(), request.getDir())));
  }

  @Override
  public void replaceAdapter(AdapterRequest request, StreamObserver<AdapterInfo> out) {
    run(out, ops -> toProto(ops.replace(request.getSkill(), request.getDir())));
  }

  @Override
  public void unloadAdapter(
      UnloadAdapterRequest request, StreamObserver<UnloadAdapterResponse> out) {
    run(
        out,
        ops -> {
          ops.unload(request.getSkill());
          return UnloadAdapterResponse.newBuilder().setSkill(request.getSkill()).build();
        });
  }

  @Override
  public void listExperiments(
      ListExperimentsRequest request, StreamObserver<ListExperimentsResponse> out) {
    run(
        out,
        ops -> {
          ListExperimentsResponse.Builder b = ListExperimentsResponse.newBuilder();
          ops.experiments().forEach(r -> b.addExperiments(toProto(r)));
          return b.build();
        });
  }

  @Override
  public void defineExperiment(ExperimentDefinition request, StreamObserver<ExperimentInfo> out) {
    run(out, ops -> toProto(ops.define(fromProto(request))));
  }

  @Override
  public void stopExperiment(
      StopExperimentRequest request, StreamObserver<StopExperimentResponse> out) {
    run(
        out,
        ops -> {
          ops.stop(request.getName());
          return StopExperimentResponse.newBuilder().setName(request.getName()).build();
        });
  }

  @Override
  public void report(ReportRequest request, StreamObserver<ReportResponse> out) {
    run(out, ops -> toProto(ops.report(request.getExperiment())));
  }

  static AdapterInfo toProto(AdminOperations.AdapterView v) {
    AdapterInfo.Builder b =
        AdapterInfo.newBuilder()
            .setSkill(v.info().skill())
            .setDir(v.info().dir())
            .setKind(v.info().kind())
            .setKindEnum(ProtoEnums.skillKind(v.info().kind()))
            .setWeightsFingerprint(v.info().weightsFingerprint())
            .setParameterCount(v.info().parameterCount())
            .setCandidateCount(v.info().candidates())
            .setInFlight(v.info().inFlight());
    if (v.experiment() != null) {
      b.setExperiment(v.experiment()).setVariant(v.variant());
    }
    return b.build();
  }

  static Experiment fromProto(ExperimentDefinition d) {
    List<Experiment.Variant> variants = new ArrayList<>();
    for (VariantDefinition v : d.getVariantsList()) {
      variants.add(
          new Experiment.Variant(
              v.getName(), v.getAdapter(), v.getWeight() == 0 ? 1.0 : v.getWeight()));
    }
    return new Experiment(d.getName(), d.getSkill(), variants);
  }

  static ExperimentInfo toProto(ExperimentService.Running r) {
    ExperimentDefinition.Builder d =
        ExperimentDefinition.newBuilder()
            .setName(r.experiment().name())
            .setSkill(r.experiment().skill());
    for (Experiment.Variant v : r.experiment().variants()) {
      d.addVariants(
          VariantDefinition.newBuilder()
              .setName(v.name())
              .setAdapter(v.adapter() == null ? "" : v.adapter())
              .setWeight(v.weight()));
    }
    return ExperimentInfo.newBuilder().setDefinition(d).setSource(r.source()).build();
  }

  static ReportResponse toProto(AbReport r) {
    ReportResponse.Builder b =
        ReportResponse.newBuilder()
            .setExperiment(r.experiment())
            .setSkill(r.skill())
            .addAllNotes(r.notes());
    for (AbReport.VariantReport v : r.variants()) {
      b.addVariants(
          VariantReport.newBuilder()
              .setVariant(v.variant())
              .setConversations(v.conversations())
              .setEpisodes(v.episodes())
              .setTurns(v.turns())
              .setMeanEpisodeLength(nan(v.meanEpisodeLength()))
              .setRatings(v.ratings())
              .setMeanRating(nan(v.meanRating()))
              .setRatingSd(nan(v.ratingSd()))
              .setThumbsUp(v.thumbsUp())
              .setThumbsDown(v.thumbsDown())
              .setThumbsUpRate(nan(v.thumbsUpRate()))
              .setThumbsUpLow(nan(v.thumbsUpLow()))
              .setThumbsUpHigh(nan(v.thumbsUpHigh())));
    }
    for (AbReport.Comparison c : r.comparisons()) {
      b.addComparisons(
          VariantComparison.newBuilder()
              .setControl(c.control())
              .setVariant(c.variant())
              .setThumbsDiff(nan(c.thumbsDiff()))
              .setThumbsZ(nan(c.thumbsZ()))
              .setThumbsP(nan(c.thumbsP()))
              .setRatingDiff(nan(c.ratingDiff()))
              .setRatingT(nan(c.ratingT()))
              .setRatingDf(nan(c.ratingDf()))
              .setRatingP(nan(c.ratingP()))
              .setMoreConversationsThumbs(
                  c.moreConversationsThumbs() == null ? -1 : c.moreConversationsThumbs())
              .setMoreConversationsRating(
                  c.moreConversationsRating() == null ? -1 : c.moreConversationsRating()));
    }
    return b.build();
  }

  private static double nan(Double d) {
    return d == null ? Double.NaN : d;
  }
}
