// LSTM, GRU and RNN against naive per-step loops: every direction, sequence_lens, initial states,
// peepholes, input_forget, linear_before_reset, custom activations with alpha/beta, clip, layout 1.
#include <QtTest>

#include "harness.h"
#include "reference.h"

using namespace gs;
using namespace gs::test;

namespace {

enum class Cell { Rnn, Gru, Lstm };

struct RnnCase {
  Cell cell = Cell::Lstm;
  int64_t seq = 1, batch = 1, input = 1, hidden = 1;
  std::string direction = "forward";
  bool bias = false, lens = false, h0 = false, c0 = false, peep = false, lbr = false, inputForget = false;
  int64_t layout = 0;
  float clip = 0.0f;
  std::vector<std::string> acts; // empty: defaults
  std::vector<float> alphas, betas;
};

float applyNamed(const std::string& n, float x, float a, float b) {
  if (n == "Sigmoid") return 1.0f / (1.0f + std::exp(-x));
  if (n == "Tanh") return std::tanh(x);
  if (n == "Relu") return std::max(0.0f, x);
  if (n == "HardSigmoid") return std::min(1.0f, std::max(0.0f, a * x + b));
  if (n == "LeakyRelu") return x < 0 ? a * x : x;
  if (n == "ScaledTanh") return a * std::tanh(b * x);
  if (n == "Affine") return a * x + b;
  if (n == "Softsign") return x / (1 + std::abs(x));
  return x;
}

struct NamedFn {
  std::string name;
  float a = 0, b = 0;
  float operator()(float x) const { return applyNamed(name, x, a, b); }
};

void reference(const RnnCase& rc, const std::vector<const HostTensor*>& in, std::vector<float>& y,
               std::vector<float>& yh, std::vector<float>& yc) {
  const int64_t dirs = rc.direction == "bidirectional" ? 2 : 1, H = rc.hidden, B = rc.batch, T = rc.seq, I = rc.input;
  const int64_t G = rc.cell == Cell::Lstm ? 4 : rc.cell == Cell::Gru ? 3 : 1;
  y.assign(static_cast<std::size_t>(T * dirs * B * H), 0.0f);
  yh.assign(static_cast<std::size_t>(dirs * B * H), 0.0f);
  yc.assign(yh.size(), 0.0f);
  const std::size_t perDir = rc.cell == Cell::Lstm ? 3 : rc.cell == Cell::Gru ? 2 : 1;
  std::vector<NamedFn> fns;
  std::size_t ai = 0, bi = 0;
  for (int64_t d = 0; d < dirs; ++d)
    for (std::size_t k = 0; k < perDir; ++k) {
      NamedFn f;
      if (rc.acts.empty())
        f.name = k == 0 && rc.cell != Cell::Rnn ? "Sigmoid" : "Tanh";
      else
        f.name = rc.acts[static_cast<std::size_t>(d) * perDir + k];
      const bool a1 = f.name == "HardSigmoid" || f.name == "LeakyRelu" || f.name == "ScaledTanh" || f.name == "Affine";
      const bool b1 = f.name == "HardSigmoid" || f.name == "ScaledTanh" || f.name == "Affine";
      if (a1) f.a = rc.alphas[ai++];
      if (b1) f.b = rc.betas[bi++];
      fns.push_back(f);
    }
  auto clip = [&](float v) { return rc.clip > 0 ? std::min(std::max(v, -rc.clip), rc.clip) : v; };
  const float* X = in[0]->as<float>();
  for (int64_t d = 0; d < dirs; ++d) {
    const bool rev = rc.direction == "reverse" || d == 1;
    const float* W = in[1]->as<float>() + d * G * H * I;
    const float* R = in[2]->as<float>() + d * G * H * H;
    const float* Wb = in[3] ? in[3]->as<float>() + d * 2 * G * H : nullptr;
    const float* Rb = Wb ? Wb + G * H : nullptr;
    const float* P = in[7] ? in[7]->as<float>() + d * 3 * H : nullptr;
    const NamedFn* f = fns.data() + d * static_cast<int64_t>(perDir);
    for (int64_t b = 0; b < B; ++b) {
      const int64_t len = in[4] ? in[4]->as<int32_t>()[b] : T;
      std::vector<float> h(static_cast<std::size_t>(H), 0.0f), c(h);
      for (int64_t k = 0; k < H; ++k) {
        if (in[5]) h[static_cast<std::size_t>(k)] = in[5]->as<float>()[(d * B + b) * H + k];
        if (in[6]) c[static_cast<std::size_t>(k)] = in[6]->as<float>()[(d * B + b) * H + k];
      }
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = rev ? len - 1 - s : s;
        const float* x = X + (rc.layout ? b * T + t : t * B + b) * I;
        // gate pre-activation from input (+ Wb) and from a given state vector (+ Rb)
        auto xg = [&](int64_t row) {
          double v = Wb ? Wb[row] : 0.0;
          for (int64_t k = 0; k < I; ++k)
            v += static_cast<double>(W[row * I + k]) * x[k];
          return static_cast<float>(v);
        };
        auto hg = [&](int64_t row, const std::vector<float>& state) {
          double v = Rb ? Rb[row] : 0.0;
          for (int64_t k = 0; k < H; ++k)
            v += static_cast<double>(R[row * H + k]) * state[static_cast<std::size_t>(k)];
          return static_cast<float>(v);
        };
        std::vector<float> nh(h), nc(c);
        for (int64_t k = 0; k < H; ++k) {
          const auto ku = static_cast<std::size_t>(k);
          if (rc.cell == Cell::Rnn) {
            nh[ku] = f[0](clip(xg(k) + hg(k, h)));
          } else if (rc.cell == Cell::Lstm) {
            const float it = f[0](clip(xg(k) + hg(k, h) + (P ? P[k] * c[ku] : 0.0f)));
            const float ft = rc.inputForget
                                 ? 1.0f - it
                                 : f[0](clip(xg(2 * H + k) + hg(2 * H + k, h) + (P ? P[2 * H + k] * c[ku] : 0.0f)));
            const float ct = f[1](clip(xg(3 * H + k) + hg(3 * H + k, h)));
            nc[ku] = ft * c[ku] + it * ct;
            const float ot = f[0](clip(xg(H + k) + hg(H + k, h) + (P ? P[H + k] * nc[ku] : 0.0f)));
            nh[ku] = ot * f[2](nc[ku]);
          } else {
            const float z = f[0](clip(xg(k) + hg(k, h)));
            float hh;
            if (rc.lbr) {
              const float r = f[0](clip(xg(H + k) + hg(H + k, h)));
              hh = f[1](clip(xg(2 * H + k) + r * hg(2 * H + k, h)));
            } else {
              std::vector<float> rh(static_cast<std::size_t>(H));
              for (int64_t j = 0; j < H; ++j)
                rh[static_cast<std::size_t>(j)] = f[0](clip(xg(H + j) + hg(H + j, h))) * h[static_cast<std::size_t>(j)];
              hh = f[1](clip(xg(2 * H + k) + hg(2 * H + k, rh)));
            }
            nh[ku] = (1 - z) * hh + z * h[ku];
          }
        }
        h = nh;
        c = nc;
        for (int64_t k = 0; k < H; ++k)
          y[static_cast<std::size_t>((rc.layout ? ((b * T + t) * dirs + d) : ((t * dirs + d) * B + b)) * H + k)] =
              h[static_cast<std::size_t>(k)];
      }
      for (int64_t k = 0; k < H; ++k) {
        const auto at = static_cast<std::size_t>((rc.layout ? b * dirs + d : d * B + b) * H + k);
        yh[at] = h[static_cast<std::size_t>(k)];
        yc[at] = c[static_cast<std::size_t>(k)];
      }
    }
  }
}

} // namespace

class TestRnn : public QObject {
  Q_OBJECT

private slots:
  void recurrentRandom() {
    std::mt19937 rng(31);
    const char* dirs[] = {"forward", "reverse", "bidirectional"};
    for (int i = 0; i < 48; ++i) {
      RnnCase rc;
      rc.cell = static_cast<Cell>(i % 3);
      rc.direction = dirs[(i / 3) % 3];
      rc.seq = randInt(rng, 1, 6);
      rc.batch = randInt(rng, 1, 4);
      rc.input = randInt(rng, 1, 7);
      rc.hidden = randInt(rng, 1, 9);
      rc.bias = i % 4 != 0;
      rc.lens = i % 5 == 1;
      rc.h0 = i % 3 != 2 || i % 8 == 5;
      rc.c0 = rc.cell == Cell::Lstm && (i % 2 == 0 || i % 8 == 5);
      rc.peep = rc.cell == Cell::Lstm && i % 4 == 1;
      rc.inputForget = rc.cell == Cell::Lstm && i % 7 == 3;
      rc.lbr = rc.cell == Cell::Gru && i % 2 == 1;
      rc.layout = i % 8 == 5 ? 1 : 0; // 5, 13, 21: every cell
      rc.clip = i % 5 == 2 ? 0.8f : 0.0f;
      const int64_t nd = rc.direction == "bidirectional" ? 2 : 1;
      if (i % 8 == 7) {
        const std::vector<std::string> one =
            rc.cell == Cell::Lstm  ? std::vector<std::string>{"HardSigmoid", "LeakyRelu", "ScaledTanh"}
            : rc.cell == Cell::Gru ? std::vector<std::string>{"HardSigmoid", "Softsign"}
                                   : std::vector<std::string>{"Affine"};
        for (int64_t d = 0; d < nd; ++d) {
          rc.acts.insert(rc.acts.end(), one.begin(), one.end());
          rc.alphas.insert(rc.alphas.end(), {0.25f, 0.1f, 0.9f});
          rc.betas.insert(rc.betas.end(), {0.4f, 1.2f});
        }
        // Trim to exactly the parameters consumed, in order.
        std::size_t na = 0, nb = 0;
        for (const auto& n : rc.acts) {
          na += n == "HardSigmoid" || n == "LeakyRelu" || n == "ScaledTanh" || n == "Affine";
          nb += n == "HardSigmoid" || n == "ScaledTanh" || n == "Affine";
        }
        rc.alphas.resize(na, 0.5f);
        rc.betas.resize(nb, 0.3f);
      }
      const int64_t G = rc.cell == Cell::Lstm ? 4 : rc.cell == Cell::Gru ? 3 : 1, H = rc.hidden;
      std::vector<HostTensor> t(8);
      std::vector<bool> have(8, false);
      t[0] = randomTensor(rc.layout ? std::vector<int64_t>{rc.batch, rc.seq, rc.input}
                                    : std::vector<int64_t>{rc.seq, rc.batch, rc.input},
                          rng);
      t[1] = randomTensor({nd, G * H, rc.input}, rng, -0.7f, 0.7f);
      t[2] = randomTensor({nd, G * H, H}, rng, -0.7f, 0.7f);
      have[0] = have[1] = have[2] = true;
      if (rc.bias) t[3] = randomTensor({nd, 2 * G * H}, rng), have[3] = true;
      if (rc.lens) {
        std::vector<int32_t> l;
        for (int64_t b = 0; b < rc.batch; ++b)
          l.push_back(static_cast<int32_t>(randInt(rng, 1, rc.seq)));
        t[4] = int32Tensor({rc.batch}, l);
        have[4] = true;
      }
      if (rc.h0) t[5] = randomTensor({nd, rc.batch, H}, rng), have[5] = true;
      if (rc.c0) t[6] = randomTensor({nd, rc.batch, H}, rng), have[6] = true;
      if (rc.peep) t[7] = randomTensor({nd, 3 * H}, rng), have[7] = true;
      if (rc.layout) {
        // Initial states are [batch, dirs, H] with layout 1; the reference reads [dirs, batch, H].
        for (int k : {5, 6})
          if (have[static_cast<std::size_t>(k)]) {
            auto& s = t[static_cast<std::size_t>(k)];
            HostTensor tr(ir::DataType::Float32, {rc.batch, nd, H});
            for (int64_t d = 0; d < nd; ++d)
              for (int64_t b = 0; b < rc.batch; ++b)
                for (int64_t h = 0; h < H; ++h)
                  tr.as<float>()[(b * nd + d) * H + h] = s.as<float>()[(d * rc.batch + b) * H + h];
            t.push_back(std::move(tr));
          }
      }
      std::vector<const HostTensor*> refIn(8, nullptr);
      for (std::size_t k = 0; k < 8; ++k)
        if (have[k]) refIn[k] = &t[k];
      std::vector<float> y, yh, yc;
      reference(rc, refIn, y, yh, yc);
      std::vector<Input> ins;
      const std::size_t nInputs = rc.cell == Cell::Lstm ? 8 : 6;
      std::size_t extra = 8;
      for (std::size_t k = 0; k < nInputs; ++k) {
        if (!have[k]) {
          ins.push_back(absent());
          continue;
        }
        const bool swapped = rc.layout && (k == 5 || k == 6);
        ins.push_back(in(HostTensor::fromIr(toIr(swapped ? t[extra++] : t[k])), k == 1 || k == 2 || k == 3));
      }
      while (!ins.empty() && !ins.back().present)
        ins.pop_back();
      ir::Attributes a;
      a.set("hidden_size", ir::Attribute::ofInt(H));
      a.set("direction", ir::Attribute::ofString(rc.direction));
      if (rc.layout) a.set("layout", ir::Attribute::ofInt(1));
      if (rc.clip > 0) a.set("clip", ir::Attribute::ofFloat(rc.clip));
      if (rc.lbr) a.set("linear_before_reset", ir::Attribute::ofInt(1));
      if (rc.inputForget) a.set("input_forget", ir::Attribute::ofInt(1));
      if (!rc.acts.empty()) {
        ir::Attribute s;
        s.kind = ir::Attribute::Kind::Strings;
        s.strings = rc.acts;
        a.set("activations", s);
        if (!rc.alphas.empty()) a.set("activation_alpha", ir::Attribute::ofFloats(rc.alphas));
        if (!rc.betas.empty()) a.set("activation_beta", ir::Attribute::ofFloats(rc.betas));
      }
      const std::vector<int64_t> yd =
          rc.layout ? std::vector<int64_t>{rc.batch, rc.seq, nd, H} : std::vector<int64_t>{rc.seq, nd, rc.batch, H};
      const std::vector<int64_t> sd =
          rc.layout ? std::vector<int64_t>{rc.batch, nd, H} : std::vector<int64_t>{nd, rc.batch, H};
      std::vector<OutSpec> outs{out(yd), out(sd)};
      if (rc.cell == Cell::Lstm) outs.push_back(out(sd));
      const char* names[] = {"RNN", "GRU", "LSTM"};
      const auto label = std::string(names[i % 3]) + " case " + std::to_string(i) + " " + rc.direction;
      GS_ASSIGN_OK(auto res, runOp(names[i % 3], 14, std::move(ins), outs, a));
      GS_EXPECT_CLOSE(res[0], y, label + " Y");
      GS_EXPECT_CLOSE(res[1], yh, label + " Y_h");
      if (rc.cell == Cell::Lstm) GS_EXPECT_CLOSE(res[2], yc, label + " Y_c");
    }
  }
};

int runRnnTests(int argc, char** argv) {
  TestRnn t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_rnn.moc"
