;; RealFft.windowedPower (../fft.ts) in WebAssembly with 128-bit SIMD, two f64 lanes at a time.
;;
;; Every value goes through exactly the IEEE operations of the JavaScript version, in the same order (the same
;; products, sums and differences with the same operands; no fused multiply-add, which f64 WebAssembly does not
;; have outside relaxed-simd), so the power spectrum is identical to the last bit. Only the order in which
;; independent butterflies run, and where intermediate values are kept, differ: neither changes a result.
;;
;; Layout of the N/2 = H complex values (Q = H/2): the bit-reversed, windowed input is packed as vectors
;; V[v] = (z[v], z[v + Q]), v < Q, one array of real parts and one of imaginary parts. Every butterfly stage of
;; distance h < Q pairs v with v + h in both halves with the same twiddle (it depends on the position modulo
;; 2h, which divides Q), so those stages are plain lane-wise arithmetic on splatted twiddles. The last stage
;; (distance Q) pairs the two lanes; it transposes two vectors at a time and writes the spectrum in natural
;; order (separate arrays) for the split pass, which then computes two bins at a time.
;;
;; Position v < Q holds sample pair rev(v) in lane 0 and rev(v + Q) = rev(v) + 1 in lane 1, so one frame
;; position reads four consecutive samples x[2p … 2p+3]: two 16-byte loads and two shuffles.
;;
;; Rebuild the binary with: node -r @swc-node/register tools/scripts/gen-fingerprint-wasm.ts
;; (a test fails when libs/fingerprint/src/wasm/fft-simd.wasm.ts is out of date with this file).
(module
  (memory (export "memory") 1)

  ;; Set once by `setup` (byte addresses into memory; see SimdRealFft in ../fft-simd.ts).
  (global $half (mut i32) (i32.const 0))
  (global $x (mut i32) (i32.const 0)) ;; input frame, N f64
  (global $w (mut i32) (i32.const 0)) ;; window, N f64
  (global $rev (mut i32) (i32.const 0)) ;; Q u32: byte offset 16·rev(v) of sample x[2·rev(v)] for v < Q
  (global $re (mut i32) (i32.const 0)) ;; Q vectors of real parts (lanes: v, v + Q)
  (global $im (mut i32) (i32.const 0)) ;; Q vectors of imaginary parts
  (global $nre (mut i32) (i32.const 0)) ;; H f64, real parts in natural order after the last stage
  (global $nim (mut i32) (i32.const 0)) ;; H f64 (followed by at least 16 readable bytes)
  (global $cosH (mut i32) (i32.const 0)) ;; Q f64: cos(2πk/H)
  (global $sinH (mut i32) (i32.const 0)) ;; Q f64: sin(2πk/H)
  (global $cosF (mut i32) (i32.const 0)) ;; H + 2 f64: cos(2πk/N), k ≤ H (then padding)
  (global $sinF (mut i32) (i32.const 0)) ;; H + 2 f64: sin(2πk/N)
  (global $out (mut i32) (i32.const 0)) ;; H + 2 f64: power per bin (then padding)

  (func (export "setup")
    (param $half i32) (param $x i32) (param $w i32) (param $rev i32) (param $re i32) (param $im i32)
    (param $nre i32) (param $nim i32) (param $cosH i32) (param $sinH i32) (param $cosF i32) (param $sinF i32)
    (param $out i32)
    (global.set $half (local.get $half))
    (global.set $x (local.get $x))
    (global.set $w (local.get $w))
    (global.set $rev (local.get $rev))
    (global.set $re (local.get $re))
    (global.set $im (local.get $im))
    (global.set $nre (local.get $nre))
    (global.set $nim (local.get $nim))
    (global.set $cosH (local.get $cosH))
    (global.set $sinH (local.get $sinH))
    (global.set $cosF (local.get $cosF))
    (global.set $sinF (local.get $sinF))
    (global.set $out (local.get $out)))

  ;; |X[k]|² of x·w for k = 1 … min(lastBin, H − 1), and k = H when lastBin ≥ H, into out[k]. Requires H ≥ 8.
  (func (export "windowedPower") (param $lastBin i32)
    (call $firstStages)
    (call $laneStages)
    (call $crossStage)
    (call $split (local.get $lastBin)))

  ;; Windowed bit-reversed load and the stages of distance 1 and 2 (twiddles 1 and −i), four positions at a time.
  (func $firstStages
    (local $rp i32) (local $revEnd i32) (local $x i32) (local $w i32) (local $ore i32) (local $oim i32)
    (local $off i32) (local $v0 v128) (local $v1 v128)
    (local $x0r v128) (local $x0i v128) (local $x1r v128) (local $x1i v128)
    (local $x2r v128) (local $x2i v128) (local $x3r v128) (local $x3i v128)
    (local $y0r v128) (local $y0i v128) (local $y1r v128) (local $y1i v128)
    (local $y2r v128) (local $y2i v128) (local $y3r v128) (local $y3i v128)
    (local $tr v128) (local $ti v128)
    (local.set $x (global.get $x))
    (local.set $w (global.get $w))
    (local.set $rp (global.get $rev))
    (local.set $revEnd (i32.add (global.get $rev) (i32.shl (global.get $half) (i32.const 1)))) ;; 4·Q bytes
    (local.set $ore (global.get $re))
    (local.set $oim (global.get $im))
    (loop $group
      ;; Positions v … v + 3: (x[2p]·w[2p], x[2p+2]·w[2p+2]) real, (x[2p+1]·w[2p+1], x[2p+3]·w[2p+3]) imaginary.
      (local.set $off (i32.load offset=0 (local.get $rp)))
      (local.set $v0 (f64x2.mul (v128.load (i32.add (local.get $x) (local.get $off)))
                                (v128.load (i32.add (local.get $w) (local.get $off)))))
      (local.set $v1 (f64x2.mul (v128.load offset=16 (i32.add (local.get $x) (local.get $off)))
                                (v128.load offset=16 (i32.add (local.get $w) (local.get $off)))))
      (local.set $x0r (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v1)))
      (local.set $x0i (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v0) (local.get $v1)))
      (local.set $off (i32.load offset=4 (local.get $rp)))
      (local.set $v0 (f64x2.mul (v128.load (i32.add (local.get $x) (local.get $off)))
                                (v128.load (i32.add (local.get $w) (local.get $off)))))
      (local.set $v1 (f64x2.mul (v128.load offset=16 (i32.add (local.get $x) (local.get $off)))
                                (v128.load offset=16 (i32.add (local.get $w) (local.get $off)))))
      (local.set $x1r (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v1)))
      (local.set $x1i (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v0) (local.get $v1)))
      (local.set $off (i32.load offset=8 (local.get $rp)))
      (local.set $v0 (f64x2.mul (v128.load (i32.add (local.get $x) (local.get $off)))
                                (v128.load (i32.add (local.get $w) (local.get $off)))))
      (local.set $v1 (f64x2.mul (v128.load offset=16 (i32.add (local.get $x) (local.get $off)))
                                (v128.load offset=16 (i32.add (local.get $w) (local.get $off)))))
      (local.set $x2r (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v1)))
      (local.set $x2i (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v0) (local.get $v1)))
      (local.set $off (i32.load offset=12 (local.get $rp)))
      (local.set $v0 (f64x2.mul (v128.load (i32.add (local.get $x) (local.get $off)))
                                (v128.load (i32.add (local.get $w) (local.get $off)))))
      (local.set $v1 (f64x2.mul (v128.load offset=16 (i32.add (local.get $x) (local.get $off)))
                                (v128.load offset=16 (i32.add (local.get $w) (local.get $off)))))
      (local.set $x3r (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v1)))
      (local.set $x3i (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v0) (local.get $v1)))
      ;; RealFft.firstStages, expression for expression.
      (local.set $y1r (f64x2.sub (local.get $x0r) (local.get $x1r)))
      (local.set $y1i (f64x2.sub (local.get $x0i) (local.get $x1i)))
      (local.set $y0r (f64x2.add (local.get $x0r) (local.get $x1r)))
      (local.set $y0i (f64x2.add (local.get $x0i) (local.get $x1i)))
      (local.set $y3r (f64x2.sub (local.get $x2r) (local.get $x3r)))
      (local.set $y3i (f64x2.sub (local.get $x2i) (local.get $x3i)))
      (local.set $y2r (f64x2.add (local.get $x2r) (local.get $x3r)))
      (local.set $y2i (f64x2.add (local.get $x2i) (local.get $x3i)))
      (v128.store offset=32 (local.get $ore) (f64x2.sub (local.get $y0r) (local.get $y2r)))
      (v128.store offset=32 (local.get $oim) (f64x2.sub (local.get $y0i) (local.get $y2i)))
      (v128.store offset=0 (local.get $ore) (f64x2.add (local.get $y0r) (local.get $y2r)))
      (v128.store offset=0 (local.get $oim) (f64x2.add (local.get $y0i) (local.get $y2i)))
      ;; twiddle −i on y3: (tr, ti) = (y3i, −y3r)
      (local.set $tr (local.get $y3i))
      (local.set $ti (f64x2.neg (local.get $y3r)))
      (v128.store offset=48 (local.get $ore) (f64x2.sub (local.get $y1r) (local.get $tr)))
      (v128.store offset=48 (local.get $oim) (f64x2.sub (local.get $y1i) (local.get $ti)))
      (v128.store offset=16 (local.get $ore) (f64x2.add (local.get $y1r) (local.get $tr)))
      (v128.store offset=16 (local.get $oim) (f64x2.add (local.get $y1i) (local.get $ti)))
      (local.set $ore (i32.add (local.get $ore) (i32.const 64)))
      (local.set $oim (i32.add (local.get $oim) (i32.const 64)))
      (local.set $rp (i32.add (local.get $rp) (i32.const 16)))
      (br_if $group (i32.lt_u (local.get $rp) (local.get $revEnd)))))

  ;; The stages of distance 4 … Q/2 on the vectors: pairs of stages (h, 2h) as in RealFft.laterStages, then a
  ;; single one when their number is odd. Twiddles are splatted: both lanes use the same one.
  (func $laneStages
    (local $half i32) (local $q i32) (local $qB i32) (local $h i32) (local $hB i32) (local $quadB i32)
    (local $j i32) (local $pa i32) (local $ra i32) (local $ia i32) (local $t i32)
    (local $step1 i32) (local $step2 i32)
    (local $c1 v128) (local $s1 v128) (local $c2 v128) (local $s2 v128) (local $c3 v128) (local $s3 v128)
    (local $ar v128) (local $ai v128) (local $cr v128) (local $ci v128) (local $xr v128) (local $xi v128)
    (local $br v128) (local $bi v128) (local $b1r v128) (local $b1i v128) (local $a1r v128) (local $a1i v128)
    (local $d1r v128) (local $d1i v128) (local $c1r v128) (local $c1i v128)
    (local.set $half (global.get $half))
    (local.set $q (i32.shr_u (local.get $half) (i32.const 1)))
    (local.set $qB (i32.shl (local.get $q) (i32.const 4)))
    (local.set $h (i32.const 4))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.shl (local.get $h) (i32.const 2)) (local.get $q)))
        ;; step1 = H/(2h), step2 = H/(4h), in bytes of f64: 8·step.
        (local.set $step1 (i32.shl (i32.div_u (local.get $half) (i32.shl (local.get $h) (i32.const 1))) (i32.const 3)))
        (local.set $step2 (i32.shl (i32.div_u (local.get $half) (i32.shl (local.get $h) (i32.const 2))) (i32.const 3)))
        (local.set $hB (i32.shl (local.get $h) (i32.const 4)))
        (local.set $quadB (i32.shl (local.get $h) (i32.const 6)))
        (local.set $j (i32.const 0))
        (loop $twiddle
          (local.set $t (i32.mul (local.get $j) (local.get $step1)))
          (local.set $c1 (v128.load64_splat (i32.add (global.get $cosH) (local.get $t))))
          (local.set $s1 (v128.load64_splat (i32.add (global.get $sinH) (local.get $t))))
          (local.set $t (i32.mul (local.get $j) (local.get $step2)))
          (local.set $c2 (v128.load64_splat (i32.add (global.get $cosH) (local.get $t))))
          (local.set $s2 (v128.load64_splat (i32.add (global.get $sinH) (local.get $t))))
          (local.set $t (i32.mul (i32.add (local.get $j) (local.get $h)) (local.get $step2)))
          (local.set $c3 (v128.load64_splat (i32.add (global.get $cosH) (local.get $t))))
          (local.set $s3 (v128.load64_splat (i32.add (global.get $sinH) (local.get $t))))
          (local.set $pa (i32.shl (local.get $j) (i32.const 4)))
          (loop $block
            (local.set $ra (i32.add (global.get $re) (local.get $pa)))
            (local.set $ia (i32.add (global.get $im) (local.get $pa)))
            (local.set $ar (v128.load (local.get $ra)))
            (local.set $ai (v128.load (local.get $ia)))
            (local.set $cr (v128.load (i32.add (local.get $ra) (i32.shl (local.get $hB) (i32.const 1)))))
            (local.set $ci (v128.load (i32.add (local.get $ia) (i32.shl (local.get $hB) (i32.const 1)))))
            ;; stage 1: (a, b) and (c, d), twiddle (c1, s1)
            (local.set $xr (v128.load (i32.add (local.get $ra) (local.get $hB))))
            (local.set $xi (v128.load (i32.add (local.get $ia) (local.get $hB))))
            (local.set $br (f64x2.add (f64x2.mul (local.get $xr) (local.get $c1)) (f64x2.mul (local.get $xi) (local.get $s1))))
            (local.set $bi (f64x2.sub (f64x2.mul (local.get $xi) (local.get $c1)) (f64x2.mul (local.get $xr) (local.get $s1))))
            (local.set $b1r (f64x2.sub (local.get $ar) (local.get $br)))
            (local.set $b1i (f64x2.sub (local.get $ai) (local.get $bi)))
            (local.set $a1r (f64x2.add (local.get $ar) (local.get $br)))
            (local.set $a1i (f64x2.add (local.get $ai) (local.get $bi)))
            (local.set $xr (v128.load (i32.add (local.get $ra) (i32.mul (local.get $hB) (i32.const 3)))))
            (local.set $xi (v128.load (i32.add (local.get $ia) (i32.mul (local.get $hB) (i32.const 3)))))
            (local.set $br (f64x2.add (f64x2.mul (local.get $xr) (local.get $c1)) (f64x2.mul (local.get $xi) (local.get $s1))))
            (local.set $bi (f64x2.sub (f64x2.mul (local.get $xi) (local.get $c1)) (f64x2.mul (local.get $xr) (local.get $s1))))
            (local.set $d1r (f64x2.sub (local.get $cr) (local.get $br)))
            (local.set $d1i (f64x2.sub (local.get $ci) (local.get $bi)))
            (local.set $c1r (f64x2.add (local.get $cr) (local.get $br)))
            (local.set $c1i (f64x2.add (local.get $ci) (local.get $bi)))
            ;; stage 2: (a, c) with (c2, s2), (b, d) with (c3, s3)
            (local.set $br (f64x2.add (f64x2.mul (local.get $c1r) (local.get $c2)) (f64x2.mul (local.get $c1i) (local.get $s2))))
            (local.set $bi (f64x2.sub (f64x2.mul (local.get $c1i) (local.get $c2)) (f64x2.mul (local.get $c1r) (local.get $s2))))
            (v128.store (i32.add (local.get $ra) (i32.shl (local.get $hB) (i32.const 1))) (f64x2.sub (local.get $a1r) (local.get $br)))
            (v128.store (i32.add (local.get $ia) (i32.shl (local.get $hB) (i32.const 1))) (f64x2.sub (local.get $a1i) (local.get $bi)))
            (v128.store (local.get $ra) (f64x2.add (local.get $a1r) (local.get $br)))
            (v128.store (local.get $ia) (f64x2.add (local.get $a1i) (local.get $bi)))
            (local.set $br (f64x2.add (f64x2.mul (local.get $d1r) (local.get $c3)) (f64x2.mul (local.get $d1i) (local.get $s3))))
            (local.set $bi (f64x2.sub (f64x2.mul (local.get $d1i) (local.get $c3)) (f64x2.mul (local.get $d1r) (local.get $s3))))
            (v128.store (i32.add (local.get $ra) (i32.mul (local.get $hB) (i32.const 3))) (f64x2.sub (local.get $b1r) (local.get $br)))
            (v128.store (i32.add (local.get $ia) (i32.mul (local.get $hB) (i32.const 3))) (f64x2.sub (local.get $b1i) (local.get $bi)))
            (v128.store (i32.add (local.get $ra) (local.get $hB)) (f64x2.add (local.get $b1r) (local.get $br)))
            (v128.store (i32.add (local.get $ia) (local.get $hB)) (f64x2.add (local.get $b1i) (local.get $bi)))
            (local.set $pa (i32.add (local.get $pa) (local.get $quadB)))
            (br_if $block (i32.lt_u (local.get $pa) (local.get $qB))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $twiddle (i32.lt_u (local.get $j) (local.get $h))))
        (local.set $h (i32.shl (local.get $h) (i32.const 2)))
        (br $pairs)))
    ;; A last single lane-wise stage (distance h < Q) when the number of lane-wise stages is odd.
    (if (i32.lt_u (local.get $h) (local.get $q))
      (then
        (local.set $step1 (i32.shl (i32.div_u (local.get $half) (i32.shl (local.get $h) (i32.const 1))) (i32.const 3)))
        (local.set $hB (i32.shl (local.get $h) (i32.const 4)))
        (local.set $j (i32.const 0))
        (loop $twiddle1
          (local.set $t (i32.mul (local.get $j) (local.get $step1)))
          (local.set $c1 (v128.load64_splat (i32.add (global.get $cosH) (local.get $t))))
          (local.set $s1 (v128.load64_splat (i32.add (global.get $sinH) (local.get $t))))
          (local.set $pa (i32.shl (local.get $j) (i32.const 4)))
          (loop $block1
            (local.set $ra (i32.add (global.get $re) (local.get $pa)))
            (local.set $ia (i32.add (global.get $im) (local.get $pa)))
            (local.set $ar (v128.load (local.get $ra)))
            (local.set $ai (v128.load (local.get $ia)))
            (local.set $xr (v128.load (i32.add (local.get $ra) (local.get $hB))))
            (local.set $xi (v128.load (i32.add (local.get $ia) (local.get $hB))))
            (local.set $br (f64x2.add (f64x2.mul (local.get $xr) (local.get $c1)) (f64x2.mul (local.get $xi) (local.get $s1))))
            (local.set $bi (f64x2.sub (f64x2.mul (local.get $xi) (local.get $c1)) (f64x2.mul (local.get $xr) (local.get $s1))))
            (v128.store (i32.add (local.get $ra) (local.get $hB)) (f64x2.sub (local.get $ar) (local.get $br)))
            (v128.store (i32.add (local.get $ia) (local.get $hB)) (f64x2.sub (local.get $ai) (local.get $bi)))
            (v128.store (local.get $ra) (f64x2.add (local.get $ar) (local.get $br)))
            (v128.store (local.get $ia) (f64x2.add (local.get $ai) (local.get $bi)))
            (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $hB) (i32.const 1))))
            (br_if $block1 (i32.lt_u (local.get $pa) (local.get $qB))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $twiddle1 (i32.lt_u (local.get $j) (local.get $h)))))))

  ;; The stage of distance Q (twiddle index v, step 1) between the two lanes, two positions at a time:
  ;; (z[v], z[v+1]) against (z[v+Q], z[v+Q+1]), written in natural order to nre/nim.
  (func $crossStage
    (local $v i32) (local $vEnd i32) (local $pv i32) (local $pn i32) (local $qB8 i32)
    (local $va v128) (local $vb v128) (local $ar v128) (local $ai v128) (local $xr v128) (local $xi v128)
    (local $c v128) (local $s v128) (local $br v128) (local $bi v128)
    ;; Q·8 bytes: the distance from z[v] to z[v + Q] in natural order.
    (local.set $qB8 (i32.shl (global.get $half) (i32.const 2)))
    (local.set $pv (i32.const 0))
    (local.set $pn (i32.const 0))
    (local.set $vEnd (i32.shl (global.get $half) (i32.const 3))) ;; Q vectors = 16·Q bytes
    (loop $pair
      (local.set $va (v128.load (i32.add (global.get $re) (local.get $pv))))
      (local.set $vb (v128.load offset=16 (i32.add (global.get $re) (local.get $pv))))
      (local.set $ar (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $va) (local.get $vb)))
      (local.set $xr (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $va) (local.get $vb)))
      (local.set $va (v128.load (i32.add (global.get $im) (local.get $pv))))
      (local.set $vb (v128.load offset=16 (i32.add (global.get $im) (local.get $pv))))
      (local.set $ai (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $va) (local.get $vb)))
      (local.set $xi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $va) (local.get $vb)))
      (local.set $c (v128.load (i32.add (global.get $cosH) (local.get $pn))))
      (local.set $s (v128.load (i32.add (global.get $sinH) (local.get $pn))))
      (local.set $br (f64x2.add (f64x2.mul (local.get $xr) (local.get $c)) (f64x2.mul (local.get $xi) (local.get $s))))
      (local.set $bi (f64x2.sub (f64x2.mul (local.get $xi) (local.get $c)) (f64x2.mul (local.get $xr) (local.get $s))))
      (v128.store (i32.add (i32.add (global.get $nre) (local.get $pn)) (local.get $qB8)) (f64x2.sub (local.get $ar) (local.get $br)))
      (v128.store (i32.add (i32.add (global.get $nim) (local.get $pn)) (local.get $qB8)) (f64x2.sub (local.get $ai) (local.get $bi)))
      (v128.store (i32.add (global.get $nre) (local.get $pn)) (f64x2.add (local.get $ar) (local.get $br)))
      (v128.store (i32.add (global.get $nim) (local.get $pn)) (f64x2.add (local.get $ai) (local.get $bi)))
      (local.set $pv (i32.add (local.get $pv) (i32.const 32)))
      (local.set $pn (i32.add (local.get $pn) (i32.const 16)))
      (br_if $pair (i32.lt_u (local.get $pv) (local.get $vEnd)))))

  ;; The split pass of RealFft.windowedPower, two bins at a time: Z[k] against conj(Z[H − k]), then the power.
  (func $split (param $lastBin i32)
    (local $half i32) (local $last i32) (local $k i32) (local $pk i32) (local $pw i32)
    (local $zr v128) (local $zi v128) (local $wr v128) (local $wi v128) (local $er v128) (local $ei v128)
    (local $or v128) (local $oi v128) (local $c v128) (local $s v128) (local $xr v128) (local $xi v128)
    (local $p v128) (local $x0 f64)
    (local.set $half (global.get $half))
    (local.set $last
      (select (local.get $lastBin) (i32.sub (local.get $half) (i32.const 1))
              (i32.lt_s (local.get $lastBin) (local.get $half))))
    (local.set $k (i32.const 1))
    (block $done
      (loop $bins
        (br_if $done (i32.gt_s (local.get $k) (local.get $last)))
        (local.set $pk (i32.shl (local.get $k) (i32.const 3)))
        ;; bytes of H − k − 1: the vector (Z[H − k − 1], Z[H − k]), lanes swapped below
        (local.set $pw (i32.shl (i32.sub (i32.sub (local.get $half) (local.get $k)) (i32.const 1)) (i32.const 3)))
        (local.set $zr (v128.load (i32.add (global.get $nre) (local.get $pk))))
        (local.set $zi (v128.load (i32.add (global.get $nim) (local.get $pk))))
        (local.set $wr (v128.load (i32.add (global.get $nre) (local.get $pw))))
        (local.set $wr (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wr) (local.get $wr)))
        (local.set $wi (v128.load (i32.add (global.get $nim) (local.get $pw))))
        (local.set $wi (f64x2.neg (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wi) (local.get $wi))))
        (local.set $er (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.add (local.get $zr) (local.get $wr))))
        (local.set $ei (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.add (local.get $zi) (local.get $wi))))
        (local.set $or (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.sub (local.get $zi) (local.get $wi))))
        (local.set $oi (f64x2.mul (f64x2.splat (f64.const -0.5)) (f64x2.sub (local.get $zr) (local.get $wr))))
        (local.set $c (v128.load (i32.add (global.get $cosF) (local.get $pk))))
        (local.set $s (v128.load (i32.add (global.get $sinF) (local.get $pk))))
        ;; xr = er + c·or + s·oi, xi = ei + c·oi − s·or (left to right)
        (local.set $xr (f64x2.add (f64x2.add (local.get $er) (f64x2.mul (local.get $c) (local.get $or)))
                                  (f64x2.mul (local.get $s) (local.get $oi))))
        (local.set $xi (f64x2.sub (f64x2.add (local.get $ei) (f64x2.mul (local.get $c) (local.get $oi)))
                                  (f64x2.mul (local.get $s) (local.get $or))))
        (local.set $p (f64x2.add (f64x2.mul (local.get $xr) (local.get $xr)) (f64x2.mul (local.get $xi) (local.get $xi))))
        ;; The second lane is bin k + 1: stored only when it is wanted.
        (if (i32.lt_s (local.get $k) (local.get $last))
          (then (v128.store (i32.add (global.get $out) (local.get $pk)) (local.get $p)))
          (else (v128.store64_lane 0 (i32.add (global.get $out) (local.get $pk)) (local.get $p))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $bins)))
    ;; Nyquist: X[H] = Z[0].re − Z[0].im, power x0·x0 + 0·0.
    (if (i32.ge_s (local.get $lastBin) (local.get $half))
      (then
        (local.set $x0 (f64.sub (f64.load (global.get $nre)) (f64.load (global.get $nim))))
        (f64.store (i32.add (global.get $out) (i32.shl (local.get $half) (i32.const 3)))
                   (f64.add (f64.mul (local.get $x0) (local.get $x0)) (f64.const 0)))))))
